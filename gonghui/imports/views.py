"""Bulk import and export pages: upload, preview, the job with its progress bar, downloads, templates.

An upload streams to `uploads/pending/` (never into memory) and is read once to
find its header row and show a preview; the preview lives in the session until
the user starts the import (a job) or cancels it. Jobs are read through
`bulk_job_get`, so a job of another union is a 404; its files need more (see
`bulk_job_file_allowed`).
"""

from __future__ import annotations

import datetime as dt
import secrets
from io import BytesIO
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from gonghui.accounts.models import User
from gonghui.core import jobs
from gonghui.core.bulk import Table, UnreadableFile
from gonghui.core.bulk.engine import open_kind_table
from gonghui.core.bulk.files import BulkUploadHandler, SealedReader, StoredUpload, clear_copy, purge_pending, resolve
from gonghui.core.bulk.kinds import BulkKind, JobKind, all_kinds, get_kind
from gonghui.core.bulk.limits import PREVIEW_SECONDS, read_deadline, rows_within
from gonghui.core.bulk.template import template_workbook
from gonghui.core.errors import DomainError, PermissionDeniedError
from gonghui.core.masking import mask_value
from gonghui.core.models import BulkJob
from gonghui.core.scoping import Scope, unscoped
from gonghui.core.selectors import bulk_job_file_allowed, bulk_job_get, bulk_job_list
from gonghui.core.viewutils import actor_of, list_page, scope_of
from gonghui.imports.forms import ExportForm, UploadForm
from gonghui.orgs.models import Org
from gonghui.orgs.permissions import OrgPerm
from gonghui.orgs.selectors import org_get

PENDING = "bulk_uploads"  # session key: token → the upload waiting on its preview
MAX_PENDING = 5
PREVIEW_ROWS = 10
NO_ORG = "未找到该工会，或您无权访问。"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _importable(scope: Scope) -> list[BulkKind]:
    return [k for k in all_kinds() if k.importable and scope.has_perm_anywhere(k.import_perm)]


def _exportable(scope: Scope) -> list[BulkKind]:
    return [k for k in all_kinds() if scope.has_perm_anywhere(k.export_perm)]


WRONG_TYPE = "只接受 .xlsx、.xls、.ods、.csv 或 .txt（制表符分隔文本、银行回盘）文件。"


def _kind(name: str) -> BulkKind:
    try:
        return get_kind(name)
    except KeyError as exc:
        raise Http404 from exc


def _suggested_orgs(scope: Scope, perms: list[str]) -> list[Org]:
    """The unions the scope's grants sit on (for the code field's suggestions)."""
    with unscoped():
        if scope.is_superuser:
            return list(Org.objects.filter(parent__isnull=True, closed_on__isnull=True).order_by("code")[:50])
        codes = {g.org_code for g in scope.grants if any(p in g.permissions for p in perms)}
        return list(Org.objects.filter(code__in=codes, closed_on__isnull=True).order_by("path")[:50])


def _org(scope: Scope, code: str) -> Org | None:
    """The union with `code` if the scope may see it: unknown and foreign read the same."""
    try:
        return org_get(scope=scope, code=code, perm=OrgPerm.VIEW)
    except DomainError:
        return None


# --- the list ---------------------------------------------------------------------------------


@login_required
def job_list(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request)
    listing = list_page(request, bulk_job_list(scope=scope).select_related("org"))
    labels = {k.name: k.label for k in all_kinds()}
    for job in listing.rows:
        job.kind_label = labels.get(job.kind, job.kind)
    return render(
        request,
        "imports/list.html",
        {
            "section": "bulk",
            **listing.context(),
            "importable": _importable(scope),
            "exportable": _exportable(scope),
        },
    )


# --- upload and preview -----------------------------------------------------------------------


def _upload_page(
    request: HttpRequest, form: UploadForm, scope: Scope, kinds: list[BulkKind], status: int = 200, error: str = ""
) -> HttpResponse:
    context = {
        "section": "bulk",
        "form": form,
        "error": error,
        "kinds": kinds,
        "orgs": _suggested_orgs(scope, [k.import_perm for k in kinds]),
        "max_mb": settings.GONGHUI_UPLOAD_MAX_MB,
    }
    return render(request, "imports/upload.html", context, status=status)


@csrf_exempt  # checked by `_upload`, once the upload handler is in place
@login_required
def upload(request: HttpRequest) -> HttpResponse:
    """The upload form. The file streams to disk through `BulkUploadHandler`, which must be
    installed before anything reads the body; CSRF is therefore checked inside."""
    scope = scope_of(request)
    kinds = _importable(scope)
    if not kinds:
        raise PermissionDenied
    max_bytes = settings.GONGHUI_UPLOAD_MAX_MB * 1024 * 1024
    handler = BulkUploadHandler(request, max_bytes=max_bytes)
    if request.method == "POST":
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > max_bytes + 1024 * 1024:  # refused before a byte is read
            form = UploadForm(kinds=kinds, initial={"kind": kinds[0].name})
            return _upload_page(request, form, scope, kinds, status=413, error=_too_large())
        request.upload_handlers = [handler]
    response: HttpResponse = _upload(request, scope, kinds, handler)
    if response.status_code == 403 and hasattr(request, "_files"):
        # Refused by the CSRF check after the body was read: drop what it brought.
        for leftover in request.FILES.getlist("file"):
            if isinstance(leftover, StoredUpload):
                leftover.discard()
    return response


def _too_large() -> str:
    return f"文件超过 {settings.GONGHUI_UPLOAD_MAX_MB} MB 的上限，请拆分后分批导入。"


@csrf_protect
def _upload(request: HttpRequest, scope: Scope, kinds: list[BulkKind], handler: BulkUploadHandler) -> HttpResponse:
    if request.method != "POST":
        initial = {"kind": request.GET.get("kind") or kinds[0].name, "org": request.GET.get("org", "")}
        return _upload_page(request, UploadForm(kinds=kinds, initial=initial), scope, kinds)
    form = UploadForm(request.POST, request.FILES, kinds=kinds)
    stored = [f for f in request.FILES.getlist("file") if isinstance(f, StoredUpload)]
    status = 200
    try:
        if form.is_valid():
            upload: StoredUpload = form.cleaned_data["file"]
            kind = get_kind(form.cleaned_data["kind"])
            org = _org(scope, form.cleaned_data["org"])
            if org is None:
                form.add_error("org", NO_ORG)
                status = 404
            elif not scope.has_perm(kind.import_perm, org.path):
                raise PermissionDenied(kind.import_perm)
            elif org.closed_on is not None:
                form.add_error("org", f"工会“{org.name}”已撤销，不能导入。")
            else:
                try:
                    preview = _preview(kind, scope, org, actor_of(request), upload.path)
                except UnreadableFile as exc:
                    form.add_error("file", f"无法导入该文件：{exc}")
                else:
                    token = _pending_put(
                        request,
                        {
                            "file": upload.stored,
                            "name": upload.name,
                            "kind": kind.name,
                            "org": org.code,
                            "dry_run": bool(form.cleaned_data["dry_run"]),
                            "preview": preview,
                        },
                    )
                    stored.remove(upload)
                    purge_pending()
                    return redirect("imports:bulk_preview", token=token)
        if handler.problem:
            form.errors["file"] = form.error_class([_too_large() if handler.problem == "size" else WRONG_TYPE])
    finally:
        for leftover in stored:
            leftover.discard()
    return _upload_page(request, form, scope, kinds, status=status)


def _display(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)[:200]


def _read(kind: JobKind, path: Path) -> Table:
    table = open_kind_table(kind, path)
    if table.missing:
        raise UnreadableFile(
            f"第 {table.header_row} 行的表头缺少必填列：{'、'.join(table.missing)}（可下载模板对照表头）"
        )
    return table


def _preview(kind: BulkKind, scope: Scope, org: Org, actor: User, path: Path) -> dict[str, Any]:
    """What the preview page shows, as plain data: header mapping, warnings, the first rows (masked)."""
    confined = scope.confined_to(org_id=org.pk, org_code=org.code, path=org.path)
    assert kind.build is not None  # the upload form offers importable kinds only
    job_kind = kind.build(actor=actor, scope=confined, org=org)
    # The upload is sealed on disk: the readers get a clear copy for as long as they read.
    with clear_copy(path) as clear:
        return _preview_table(kind, job_kind, clear)


def _preview_table(kind: BulkKind, job_kind: JobKind, path: Path) -> dict[str, Any]:
    # Within the readers' limits and a time budget (only what the page shows is read): a web worker is never held long.
    with read_deadline(PREVIEW_SECONDS) as budget:
        table = _read(job_kind, path)
    warnings = job_kind.check_table(table)
    labels = {c.key: (c.header, c.required) for c in kind.columns}
    # Columns with a header or a mapping; a column with neither is blank and not shown.
    shown = [i for i, header in enumerate(table.headers) if header or i in table.mapping]
    columns = []
    for i in shown:
        key = table.mapping.get(i)
        if key is not None:
            label, required = labels[key]
            columns.append({"header": table.headers[i], "label": label, "required": required, "ignored": False})
        else:
            # A header that names a column already mapped further left is a duplicate.
            duplicate = table.headers[i] not in table.unknown
            columns.append(
                {
                    "header": table.headers[i],
                    "label": "",
                    "required": False,
                    "ignored": True,
                    "duplicate": duplicate,
                    "likely": table.likely.get(table.headers[i], ""),
                }
            )
    masked = {i: kind.masked_columns[key] for i, key in table.mapping.items() if key in kind.masked_columns}
    rows = []
    for number, cells in rows_within(table.rows, budget):
        texts = []
        for i in shown:
            text = _display(cells[i] if i < len(cells) else None)
            texts.append(mask_value(masked[i], text) if i in masked else text)
        rows.append({"number": number, "cells": texts})
        if len(rows) >= PREVIEW_ROWS:
            break
    return {
        "header_row": table.header_row,
        "columns": columns,
        "missing": table.missing,
        "warnings": warnings,
        "rows": rows,
        "likely": table.likely,
    }


def _pending_put(request: HttpRequest, data: dict[str, Any]) -> str:
    pending = dict(request.session.get(PENDING, {}))
    while len(pending) >= MAX_PENDING:  # the oldest preview gives way
        oldest = next(iter(pending))
        _discard(pending.pop(oldest))
    token = secrets.token_urlsafe(16)
    pending[token] = data
    request.session[PENDING] = pending
    return token


def _pending_get(request: HttpRequest, token: str) -> dict[str, Any]:
    data = request.session.get(PENDING, {}).get(token)
    if data is None:
        raise Http404
    return dict(data)


def _pending_pop(request: HttpRequest, token: str) -> None:
    pending = dict(request.session.get(PENDING, {}))
    pending.pop(token, None)
    request.session[PENDING] = pending


def _discard(data: dict[str, Any]) -> None:
    path = resolve(data.get("file", ""))
    if path is not None and path.parent.name == "pending":
        path.unlink(missing_ok=True)


def _pending_target(request: HttpRequest, data: dict[str, Any]) -> tuple[BulkKind, Org]:
    """The previewed upload's kind and union, checked again: the scope may have changed."""
    scope = scope_of(request)
    kind = _kind(data["kind"])
    org = _org(scope, data["org"])
    if org is None:
        raise Http404
    if not scope.has_perm(kind.import_perm, org.path):
        raise PermissionDenied(kind.import_perm)
    return kind, org


@login_required
def preview(request: HttpRequest, token: str) -> HttpResponse:
    data = _pending_get(request, token)
    kind, org = _pending_target(request, data)
    context = {"section": "bulk", "token": token, "data": data, "kind": kind, "org": org, "p": data["preview"]}
    return render(request, "imports/preview.html", context)


def _confirmed(request: HttpRequest, data: dict[str, Any]) -> dict[str, str]:
    """The columns ticked on the preview: only the likely matches it offered can be confirmed."""
    likely = data["preview"].get("likely", {})
    return {header: likely[header] for header in request.POST.getlist("rename") if header in likely}


@login_required
@require_POST
def preview_start(request: HttpRequest, token: str) -> HttpResponse:
    data = _pending_get(request, token)
    kind, org = _pending_target(request, data)
    try:
        job = jobs.bulk_import_start(
            actor=actor_of(request),
            scope=scope_of(request),
            kind=kind,
            org=org,
            stored=data["file"],
            file_name=data["name"],
            dry_run=data["dry_run"],
            header_map=_confirmed(request, data),
        )
    except PermissionDeniedError as exc:
        raise PermissionDenied from exc
    except DomainError as exc:
        _pending_pop(request, token)
        messages.error(request, exc.message)
        return redirect("imports:bulk_upload")
    _pending_pop(request, token)
    messages.success(request, "已开始校验（不写入）。" if job.dry_run else "已开始导入。")
    return redirect("imports:bulk_job", pk=job.pk)


@login_required
@require_POST
def preview_cancel(request: HttpRequest, token: str) -> HttpResponse:
    data = _pending_get(request, token)
    _discard(data)
    _pending_pop(request, token)
    messages.info(request, "已取消，上传的文件已删除。")
    return redirect("imports:bulk_jobs")


# --- the job ----------------------------------------------------------------------------------


def _job(request: HttpRequest, pk: int) -> BulkJob:
    try:
        return bulk_job_get(scope=scope_of(request), pk=pk)
    except DomainError as exc:
        raise Http404 from exc


def _job_context(request: HttpRequest, job: BulkJob) -> dict[str, Any]:
    scope = scope_of(request)
    try:
        label = get_kind(job.kind).label
    except KeyError:
        label = job.kind
    done = job.status == BulkJob.Status.DONE
    if done:
        percent: int | None = 100
    elif job.rows_total and job.status == BulkJob.Status.RUNNING:
        percent = min(99, job.rows_done * 100 // job.rows_total)
    elif job.status == BulkJob.Status.QUEUED:
        percent = 0
    else:
        percent = None  # running with no idea of the end, or failed
    own = job.actor_id == actor_of(request).pk or scope.is_superuser
    return {
        "section": "bulk",
        "job": job,
        "kind_label": label,
        "percent": percent,
        "summary": job.summary or {},
        "can_download": done
        and bool(job.report_path)
        and bulk_job_file_allowed(scope=scope, job=job)
        and not jobs.bulk_job_file_expired(job),
        "expired": jobs.bulk_job_file_expired(job),
        "upload_gone": jobs.bulk_job_upload_gone(job),
        "retention_days": settings.GONGHUI_FILE_RETENTION_DAYS,
        "can_rerun": own and jobs.bulk_job_rerunnable(job),
        "stale": jobs.bulk_job_stale(job) and not jobs.bulk_job_upload_gone(job),
    }


@login_required
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    # The attempts only on the page itself, not in the fragment polled every second.
    context = _job_context(request, job) | {"attempts": list(job.attempts.all())}
    return render(request, "imports/job.html", context)


@login_required
def job_status(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx fragment: the progress bar, then the summary; polled while the job is queued or running."""
    job = _job(request, pk)
    return render(request, "imports/job.html#status", _job_context(request, job))


@login_required
@require_POST
def job_rerun(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    try:
        jobs.bulk_job_rerun(actor=actor_of(request), scope=scope_of(request), job=job)
    except PermissionDeniedError as exc:
        raise PermissionDenied from exc
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已重新排队运行；已写入的批次会作为“未变”跳过。")
    return redirect("imports:bulk_job", pk=job.pk)


@login_required
def job_download(request: HttpRequest, pk: int) -> FileResponse:
    """The job's file: an import's error workbook, or an export, decrypted as it is sent.

    The caller's grants are read as they are now, whoever started the job: a caller
    no longer granted anything on the job's union finds no file (404, as for a job of
    another union); one who is, but without the right to this file, is refused (403).
    """
    job = _job(request, pk)
    scope = scope_of(request)
    if not bulk_job_file_allowed(scope=scope, job=job):
        if not any(job.org_path.startswith(path) for path in scope.visible_paths()):
            raise Http404
        raise PermissionDenied
    path = resolve(job.report_path) if job.status == BulkJob.Status.DONE else None
    if path is None:
        raise Http404  # expired (the job page says so), or never written
    importing = job.direction == BulkJob.Direction.IMPORT
    name = f"未导入的行-{Path(job.file_name).stem}.xlsx" if importing else job.file_name
    return FileResponse(SealedReader(path), as_attachment=True, filename=name)


# --- templates and exports --------------------------------------------------------------------


@login_required
def template_download(request: HttpRequest, kind: str) -> FileResponse:
    spec = _kind(kind)
    if not spec.importable:
        raise Http404
    if not scope_of(request).has_perm_anywhere(spec.import_perm):
        raise PermissionDenied(spec.import_perm)
    return FileResponse(
        BytesIO(template_workbook(spec)), as_attachment=True, filename=f"{spec.label}导入模板.xlsx", content_type=XLSX
    )


@login_required
def export(request: HttpRequest) -> HttpResponse:
    """Queue an export of a union's subtree: masked unless the box is ticked (and permitted)."""
    scope = scope_of(request)
    kinds = _exportable(scope)
    if not kinds:
        raise PermissionDenied
    may_unmask = any(k.unmasked_perm and scope.has_perm_anywhere(k.unmasked_perm) for k in kinds)
    initial = {"kind": request.GET.get("kind") or kinds[0].name, "org": request.GET.get("org", ""), "fmt": "xlsx"}
    form = ExportForm(request.POST or None, kinds=kinds, may_unmask=may_unmask, initial=initial)
    status = 200
    if request.method == "POST" and form.is_valid():
        kind = get_kind(form.cleaned_data["kind"])
        org = _org(scope, form.cleaned_data["org"])
        if org is None:
            form.add_error("org", NO_ORG)
            status = 404
        else:
            try:
                job = jobs.bulk_export_start(
                    actor=actor_of(request),
                    scope=scope,
                    kind=kind,
                    org=org,
                    unmasked=bool(form.cleaned_data.get("unmasked")),
                    suffix="." + form.cleaned_data["fmt"],
                )
            except PermissionDeniedError as exc:
                raise PermissionDenied from exc
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, "已开始导出，完成后可在本页下载。")
                return redirect(reverse("imports:bulk_job", kwargs={"pk": job.pk}))
    context = {
        "section": "bulk",
        "form": form,
        "may_unmask": may_unmask,
        "reimportable": [k.label for k in kinds if k.reimportable and k.importable],
        "orgs": _suggested_orgs(scope, [k.export_perm for k in kinds]),
    }
    return render(request, "imports/export.html", context, status=status)
