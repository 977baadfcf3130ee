"""Attachment store: files on disk named by their SHA-256, types known by content.

A file's type is read from its first bytes (PDF, JPEG, PNG, or a ZIP holding
word/document.xml for DOCX); the name it was uploaded with is never trusted.
"""
import hashlib
import io
import uuid
import zipfile
from pathlib import Path

from services.common.errors import NotFound, ValidationFailed

from .exceptions import AttachmentRefused
from .models import Attachment

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def sniff(content: bytes):
    """The content type the bytes really are, or None."""
    if content.startswith(b"%PDF-"):
        return "application/pdf"
    if content.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if content.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                if "word/document.xml" in archive.namelist():
                    return DOCX
        except zipfile.BadZipFile:
            return None
    return None


class AttachmentStore:
    def __init__(self, root):
        self.root = Path(root)

    def path_for(self, sha256):
        return self.root / sha256[:2] / sha256

    def save(self, content: bytes):
        """Write the bytes once (identical files share storage); returns their SHA-256."""
        digest = hashlib.sha256(content).hexdigest()
        path = self.path_for(digest)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_suffix(".part")
            partial.write_bytes(content)
            partial.replace(path)  # atomic: a reader never sees half a file
        return digest

    def read(self, sha256):
        """The bytes, verified against their checksum: a damaged file is never served."""
        content = self.path_for(sha256).read_bytes()
        if hashlib.sha256(content).hexdigest() != sha256:
            raise StoredFileDamaged(f"附件文件已损坏（校验值不符）：{sha256}")
        return content


class StoredFileDamaged(RuntimeError):
    """The file on disk no longer matches its SHA-256: restore it from backup."""


# -- use cases --------------------------------------------------------------------------
def upload(uow, store, checklist, clock, actor, filename, content: bytes):
    """Keep a file for a later report: size and real type checked, bytes on disk."""
    if actor.unit_id is None:
        raise ValidationFailed("只有单位用户可以上传附件", {"file": ["无所属单位"]})
    limit = checklist.attachments["max_bytes"]
    if not content:
        raise AttachmentRefused("文件为空", {"file": ["文件为空"]})
    if len(content) > limit:
        raise AttachmentRefused(f"文件超过 {limit // 1048576} MB 上限", {"file": ["文件过大"]})
    content_type = sniff(content)
    if content_type not in checklist.attachments["allowed"]:
        raise AttachmentRefused("只接受 PDF、JPEG、PNG、DOCX 文件（按内容识别，不看扩展名）",
                                {"file": ["文件类型不允许"]})
    attachment = Attachment(id=str(uuid.uuid4()), sha256=store.save(content), size=len(content),
                            content_type=content_type, filename=(filename or "附件")[:255],
                            unit_id=actor.unit_id, uploaded_by=actor.user_id, uploaded_at=clock.now())
    uow.session.add(attachment)
    uow.commit()
    return attachment


def download(session, store, actor, attachment_id):
    """The file, for its unit and the offices that see every unit."""
    attachment = session.get(Attachment, attachment_id) if isinstance(attachment_id, str) else None
    if attachment is None or not actor.may_see_unit(attachment.unit_id):
        raise NotFound("附件不存在", {"attachment_id": [str(attachment_id)]})
    return attachment, store.read(attachment.sha256)
