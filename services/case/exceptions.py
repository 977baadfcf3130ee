"""Case errors; registered so they reach the gateway typed (it imports this module)."""
from nameko.exceptions import deserialize_to_instance

from services.common.errors import Conflict


@deserialize_to_instance
class DuplicateDecision(Conflict):
    code = "DUPLICATE_DECISION"


@deserialize_to_instance
class StaleVersion(Conflict):
    code = "STALE_VERSION"


@deserialize_to_instance
class ItemNotOpen(Conflict):
    """The item is not in a state that allows this (e.g. reporting on a locked item)."""
    code = "ITEM_NOT_OPEN"
