"""Notify errors.  Any process rebuilds them from their code (services/common/errors.py)."""
from services.common.errors import Conflict


class AlreadyAcknowledged(Conflict):
    code = "ALREADY_ACKNOWLEDGED"
