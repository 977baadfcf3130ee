"""Review errors.  Any process rebuilds them from their code (services/common/errors.py)."""
from services.common.errors import Conflict, RuleRefused, ValidationFailed


class AlreadyReviewed(Conflict):
    """Another reviewer acted first, or the report was reviewed already."""
    code = "ALREADY_REVIEWED"


class ExtensionBeyondLimit(RuleRefused):
    code = "EXTENSION_BEYOND_LIMIT"


class AttachmentRefused(ValidationFailed):
    code = "ATTACHMENT_REFUSED"


class ItemNotReportable(Conflict):
    """The item is locked (names what must be approved first) or already submitted/approved."""
    code = "ITEM_NOT_OPEN"
