"""Schemas of the batch import's RPC payloads (批量导入, imports.py): primitives only.

A row the gateway read from the workbook: its number as the sheet shows it, the body
``POST /decisions`` would take (``payload``, checked by case exactly as a registration), the
problems the gateway found in its cells (``{field, message}``: a formula, a date it could not
read, a unit the directory does not know), and the execution items done before, each a row
of the progress sheet.
"""
from marshmallow import Schema, fields, validate

from services.common.schemas import Page, Text

MAX_CHUNK = 500          # rows per import_decisions call
MAX_PROGRESS = 200       # progress rows of one decision
MAX_PROBLEMS = 200       # problems the gateway names in one row
MAX_FILE_PROBLEMS = 100_000


class ProblemIn(Schema):
    field = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=64))
    message = fields.String(required=True, validate=validate.Length(min=1, max=500))


class SheetProblemIn(Schema):
    """A problem the gateway found outside any decision row (an empty row, a progress row whose
    文号 no row has), already named by sheet, row and column."""
    sheet = fields.String(required=True, validate=validate.Length(min=1, max=32))
    row = fields.Integer(load_default=None, allow_none=True)
    column = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=64))
    message = fields.String(required=True, validate=validate.Length(min=1, max=500))


class ProgressIn(Schema):
    row = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    item = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=64))
    cycle = fields.Integer(load_default=None, allow_none=True, strict=True)
    performed_on = fields.Date(load_default=None, allow_none=True)
    problems = fields.List(fields.Nested(ProblemIn), load_default=list,
                           validate=validate.Length(max=MAX_PROBLEMS))


class RowIn(Schema):
    row = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    payload = fields.Dict(required=True)
    problems = fields.List(fields.Nested(ProblemIn), load_default=list,
                           validate=validate.Length(max=MAX_PROBLEMS))
    progress = fields.List(fields.Nested(ProgressIn), load_default=list,
                           validate=validate.Length(max=MAX_PROGRESS))


class ChunkIn(Schema):
    batch_id = fields.Integer(required=True, strict=True)
    offset = fields.Integer(required=True, strict=True, validate=validate.Range(min=0))
    rows = fields.List(fields.Nested(RowIn), required=True, validate=validate.Length(max=MAX_CHUNK))
    dry_run = fields.Boolean(load_default=False)


class ImportMetaIn(Schema):
    filename = Text(required=True, validate=validate.Length(min=1, max=255), metadata={"label": "文件名"})
    sha256 = fields.String(required=True, validate=validate.Regexp(r"^[0-9a-f]{64}$"))
    size = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    rows = fields.Integer(required=True, strict=True, validate=validate.Range(min=0))
    dry_run = fields.Boolean(load_default=False)
    user_name = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=64))
    problems = fields.List(fields.Nested(SheetProblemIn), load_default=list,
                           validate=validate.Length(max=MAX_FILE_PROBLEMS))


class ImportsQuery(Schema):
    page = Page()
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))
    request_id = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=64))


class ImportUploadQuery(Schema):
    """``POST /imports``'s query (the body is the workbook itself)."""
    dry_run = fields.Boolean(load_default=False, metadata={"description": "true: 只检查，不写入"})
    filename = fields.String(load_default=None, validate=validate.Length(max=255),
                             metadata={"description": "文件名（正文为文件本身时；multipart 上传取其文件名）"})


class ImportFormatQuery(Schema):
    format = fields.String(load_default="json", validate=validate.OneOf(("json", "xlsx")),
                           metadata={"description": "xlsx：导入问题的 Excel 工作簿"})


# -- out ------------------------------------------------------------------------------------
class ImportErrorOut(Schema):
    sheet = fields.String()
    row = fields.Integer()
    column = fields.String()
    message = fields.String()


class ImportOut(Schema):
    """An import (GET /imports): ``rows`` the decision rows read, of which ``created``,
    ``skipped`` (文号 already registered) and ``invalid`` (in error, not written); ``processed``
    how many have been handled so far (progress while it runs)."""
    id = fields.Integer()
    filename = fields.String()
    sha256 = fields.String()
    size = fields.Integer()
    dry_run = fields.Boolean()
    state = fields.String()
    rows = fields.Integer()
    processed = fields.Integer()
    created = fields.Integer()
    skipped = fields.Integer()
    invalid = fields.Integer()
    errors_total = fields.Integer()
    events_waiting = fields.Integer()     # its events not yet published (released once it is done)
    created_by = fields.Integer()
    created_by_name = fields.String()
    created_at = fields.DateTime()
    finished_at = fields.DateTime()


class ImportDetailOut(ImportOut):
    errors = fields.List(fields.Nested(ImportErrorOut))
