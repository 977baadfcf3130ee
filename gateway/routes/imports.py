"""Batch entry of historic records (批量导入) and the decisions' export.

    GET  /api/v1/imports/template            the .xlsx to fill (drop-downs from the rule book and units)
    POST /api/v1/imports?dry_run=true|false  the .xlsx as the body (or multipart field ``file``)
    GET  /api/v1/imports?page&per_page&request_id       the imports, newest first
    GET  /api/v1/imports/{id}[?format=xlsx]  one import with its row errors (as a workbook)
    GET  /api/v1/decisions?format=xlsx       the decisions in the import's columns (imports back)

The gateway reads the workbook (gateway/imports.py, in a thread of its own so other requests
go on) and hands case the rows in chunks of ``CHUNK_ROWS``, each a transaction of case's;
case checks and writes them (services/case/imports.py).  The upload's ``Idempotency-Key``
names its import: the client polls ``GET /imports?request_id=`` for progress while the upload
runs, and the same request again resumes the import where it stopped (or answers it).
"""
import hashlib
import logging
import re
import time
from urllib.parse import quote, unquote

from eventlet import tpool
from nameko.rpc import RpcProxy
from werkzeug.wrappers import Response

from services.common.errors import Unavailable, ValidationFailed

from .. import directory, imports
from ..entrypoints import API, http, json_response
from ..xlsx import XLSX_MIMETYPE, xlsx_response
from .decisions import idempotency_key

log = logging.getLogger(__name__)

IMPORT_ROLES = ("reviewer", "admin")
CHUNK_ROWS = 100
CHUNK_ATTEMPTS = 3      # a chunk case did not answer in time is asked again (it is applied once)
# The transport ceiling: the file's own limit (imports.MAX_BYTES, said in MB) plus a multipart
# envelope; past it the entrypoint refuses the body unread.
UPLOAD_CEILING = imports.MAX_BYTES + 1024 * 1024
FLAGS = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False, "": False}
FILENAME = re.compile(r"filename\*=UTF-8''([^;]+)|filename=\"?([^\";]+)\"?", re.IGNORECASE)


class ImportRoutes:
    case = RpcProxy("case")

    @http("GET", API + "/imports/template")
    def import_template(self, request):
        """批量导入模板: 处分决定 and 执行进度 with Chinese headers, an example row each (序号 示例,
        never imported), drop-downs for every vocabulary of the rule book and the responsible
        units, and a 填写说明 sheet explaining each column."""
        actor = self.auth.actor(request, *IMPORT_ROLES)
        content = tpool.execute(imports.template_bytes, self._import_vocabulary(actor))
        return _xlsx_file(content, "处分决定批量导入模板")

    @http("POST", API + "/imports", max_body=UPLOAD_CEILING)
    def import_decisions(self, request):
        """批量导入: ``{id, rows, created, skipped, invalid, errors: [{sheet, row, column, message}],
        dry_run, state, filename, sha256 …}``.  Rows in error are not written, the others are; a
        文号 already registered is skipped.  ``dry_run=true`` checks every row and writes none."""
        actor = self.auth.actor(request, *IMPORT_ROLES)
        dry_run = _flag(request.args.get("dry_run"))
        key = idempotency_key(request)
        content, filename = _upload(request)
        digest = hashlib.sha256(content).hexdigest()
        what = f"批量导入{'（试运行）' if dry_run else ''}：{filename}（SHA-256 {digest[:12]}…）"
        self.audit.about(what)
        vocabulary = self._import_vocabulary(actor)
        began = time.perf_counter()
        parsed = tpool.execute(imports.read_workbook, content, vocabulary)
        read = time.perf_counter()
        user = directory.get_user(self.db.session, actor["user_id"])
        batch = self.case.start_import(actor, {
            "filename": filename, "sha256": digest, "size": len(content), "rows": len(parsed.rows),
            "dry_run": dry_run, "user_name": user.name, "problems": parsed.problems}, key)
        for offset in range(batch["processed"], len(parsed.rows), CHUNK_ROWS):
            self._import_chunk(actor, batch["id"], offset, parsed.rows[offset:offset + CHUNK_ROWS], dry_run)
        result = self.case.finish_import(actor, batch["id"])
        log.info("import %s: %s rows read in %.1f s, written in %.1f s (%s created, %s skipped, %s in error)",
                 result["id"], result["rows"], read - began, time.perf_counter() - read, result["created"],
                 result["skipped"], result["invalid"])
        self.audit.about(f"{what}，导入 #{result['id']}：共 {result['rows']} 行，新增 {result['created']}，"
                         f"跳过 {result['skipped']}，有误 {result['invalid']}")
        return json_response(result, status=200 if dry_run else 201)

    @http("GET", API + "/imports")
    def list_imports(self, request):
        """导入记录, newest first: who, when, file name and checksum, counts (no errors);
        ``request_id``: the import an upload with that Idempotency-Key made (its progress)."""
        actor = self.auth.actor(request, *IMPORT_ROLES)
        return json_response(self.case.list_imports(actor, request.args.to_dict()))

    @http("GET", API + "/imports/<int:import_id>")
    def get_import(self, request, import_id):
        """One import with every row error; ``format=xlsx``: the errors as a workbook."""
        actor = self.auth.actor(request, *IMPORT_ROLES)
        wanted = request.args.get("format") or "json"
        if wanted not in ("json", "xlsx"):
            raise ValidationFailed("导出格式无效", {"format": ["可选：json, xlsx"]})
        batch = self.case.get_import(actor, import_id)
        if wanted == "xlsx":
            return xlsx_response(f"导入问题-{batch['id']}", imports.errors_sheet(batch))
        return json_response(batch)

    def _import_chunk(self, actor, batch_id, offset, rows, dry_run):
        """One chunk; when case does not answer in time (busy, or restarted), asked again: case
        applies a chunk once (by its offset) and answers a repeated one from the import's record."""
        for attempt in range(1, CHUNK_ATTEMPTS + 1):
            try:
                return self.case.import_decisions(actor, batch_id, offset, rows, dry_run)
            except Unavailable:
                if attempt == CHUNK_ATTEMPTS:
                    raise
                log.warning("import %s rows %s…: case did not answer (attempt %s), asking again",
                            batch_id, offset, attempt)

    def _import_vocabulary(self, actor):
        return imports.Vocabulary.of(self.case.rulebook_summary(actor), directory.list_units(self.db.session))


def decisions_workbook(service, actor, args):
    """GET /decisions?format=xlsx: every decision the filters select (in scope), in the import's
    columns, with the items done (执行进度): an exported workbook imports back."""
    wanted = args.pop("format", "json")
    if wanted != "xlsx":
        raise ValidationFailed("导出格式无效", {"format": ["可选：json, xlsx"]})
    export = service.case.export_decisions(actor, args)
    units = {unit.id: unit.name for unit in directory.list_units(service.db.session)}
    unit_id = args.get("unit_id")
    filters = [("姓名或文号", args.get("q")), ("状态", {"executing": "执行中", "completed": "已完成"}.get(
        args.get("status"), args.get("status"))), ("处分", args.get("sanction")),
        ("单位", units.get(int(unit_id)) if str(unit_id or "").isdigit() else unit_id)]
    service.audit.about(f"导出处分决定 {len(export['decisions'])} 件")
    return xlsx_response("处分决定", *imports.export_sheets(export, units, filters))


def _flag(value):
    text = (value or "").strip().lower()
    if text not in FLAGS:
        raise ValidationFailed("dry_run 应为 true 或 false", {"dry_run": [f"无效：{text[:20]}"]})
    return FLAGS[text]


def _upload(request):
    """The workbook and its name: multipart field ``file``, or the body itself (its name from
    ``?filename=`` or the Content-Disposition header)."""
    if request.mimetype == "multipart/form-data":
        upload = request.files.get("file")
        if upload is None:
            raise ValidationFailed("请选择要导入的 .xlsx 文件（multipart 字段 file）", {"file": ["缺少文件"]})
        return upload.read(), _name(upload.filename)
    disposition = FILENAME.search(request.headers.get("Content-Disposition", ""))
    named = request.args.get("filename") or (
        (unquote(disposition.group(1)) if disposition.group(1) else disposition.group(2)) if disposition else None)
    return request.get_data(), _name(named)


def _name(filename):
    """A file name fit for the record: its last path part, printable, at most 255 characters."""
    name = re.split(r"[\\/]", filename or "")[-1].strip()
    name = "".join(ch for ch in name if ch.isprintable())
    return (name or "上传的文件.xlsx")[:255]


def _xlsx_file(content, filename):
    return Response(content, mimetype=XLSX_MIMETYPE, headers={
        "Content-Disposition": f"attachment; filename=\"template.xlsx\"; filename*=UTF-8''{quote(filename + '.xlsx')}"})
