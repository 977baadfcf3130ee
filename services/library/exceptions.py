"""Library errors; the gateway imports this module so RPC errors arrive typed.

The library raises only the platform's common errors: ValidationFailed (a bad query or
reference), NotFound (no such regulation, article, template — or a decision the caller may
not see, as the case service reports it)."""
from services.common.errors import NotFound, ValidationFailed  # noqa: F401  (re-exported)
