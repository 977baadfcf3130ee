"""Notify errors; registered so they reach the gateway typed."""
from nameko.exceptions import deserialize_to_instance

from services.common.errors import Conflict


@deserialize_to_instance
class AlreadyAcknowledged(Conflict):
    code = "ALREADY_ACKNOWLEDGED"
