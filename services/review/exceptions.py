"""Review errors; registered so they reach the gateway typed."""
from nameko.exceptions import deserialize_to_instance

from services.common.errors import Conflict, RuleRefused, ValidationFailed


@deserialize_to_instance
class AlreadyReviewed(Conflict):
    """Another reviewer acted first, or the report was reviewed already."""
    code = "ALREADY_REVIEWED"


@deserialize_to_instance
class ExtensionBeyondLimit(RuleRefused):
    code = "EXTENSION_BEYOND_LIMIT"


@deserialize_to_instance
class AttachmentRefused(ValidationFailed):
    code = "ATTACHMENT_REFUSED"


@deserialize_to_instance
class ItemNotReportable(Conflict):
    """The item is locked (names what must be approved first) or already submitted/approved."""
    code = "ITEM_NOT_OPEN"
