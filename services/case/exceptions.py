"""Case errors.  Any process rebuilds them from their code (services/common/errors.py)."""
from services.common.errors import Conflict


class DuplicateDecision(Conflict):
    code = "DUPLICATE_DECISION"


class StaleVersion(Conflict):
    code = "STALE_VERSION"


class ItemNotOpen(Conflict):
    """The item is not in a state that allows this (e.g. reporting on a locked item)."""
    code = "ITEM_NOT_OPEN"


class DuplicateReform(Conflict):
    """A reform case with this 文号 is registered already."""
    code = "DUPLICATE_REFORM"
