"""Pages of charity funds (慈善基金): funds with their ledger and year accounts, donations, projects, payments.

Thin views over the services and selectors. A fund, donation or project of another
union is not found (404); a page the caller holds no permission for is a 403. Forms
keep what was typed and show every error at once; donors' ID numbers appear masked.
"""

from __future__ import annotations

import io
from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from gonghui.charity import forms as cf
from gonghui.charity import receipts, selectors, services
from gonghui.charity.agreements import agreement_discard, agreement_store
from gonghui.charity.models import Donation, DonorKind, Fund, Project, Receipt, RecipientKind
from gonghui.charity.permissions import CharityPerm
from gonghui.charity.receipts import receipt_signature, verification_url
from gonghui.core.errors import DomainError, NotFoundError
from gonghui.core.masking import mask_name
from gonghui.core.money import fen_to_yuan
from gonghui.core.viewutils import (
    actor_of,
    apply_domain_error,
    found_or_404,
    list_page,
    refusal_text,
    require_perm,
    scope_of,
)
from gonghui.members.selectors import active_member_by_key
from gonghui.notices.certificates import qr_data_uri
from gonghui.orgs.selectors import org_get
from gonghui.student_aid import selectors as student_aid_selectors

SECTION = "charity"


def _fund(request: HttpRequest, pk: int) -> Fund:
    return found_or_404(selectors.fund_get, scope=scope_of(request), pk=pk)


def _project(request: HttpRequest, pk: int) -> Project:
    return found_or_404(selectors.project_get, scope=scope_of(request), pk=pk)


def _source_label(entry: Any) -> str:
    """Whose money a share is: the donor (爱心人士 if anonymous), a failed payment given back, or the opening sum."""
    if entry.donation_id and entry.donation:
        return str(entry.donation.shown_donor)
    if entry.kind == "return":
        return "支出退回"
    return "基金结余"


def member_charity(scope: Any, person_id: int, org_path: str) -> dict[str, Any] | None:
    """The charity panel of a member's page (registered with core.ui): payments from funds the scope sees,
    with the donors who paid them (first in first out); hidden when there is none."""
    if not scope.has_perm(CharityPerm.VIEW, org_path):
        return None
    rows = []
    for paid, shares in selectors.beneficiary_sources(scope=scope, person_id=person_id):
        donors = [(_source_label(share.entry), share.amount_fen) for share in shares]
        rows.append({"paid": paid, "donors": donors})
    return {"payments": rows} if rows else None


# --- funds -----------------------------------------------------------------------------------------


@login_required
def fund_list(request: HttpRequest) -> HttpResponse:
    scope = require_perm(request, CharityPerm.VIEW)
    listing = list_page(request, selectors.fund_list(scope=scope))
    return render(
        request,
        "charity/fund_list.html",
        {"section": SECTION, **listing.context(), "can_create": scope.has_perm_anywhere(CharityPerm.MANAGE)},
    )


@login_required
def fund_new(request: HttpRequest) -> HttpResponse:
    scope = require_perm(request, CharityPerm.MANAGE)
    form = cf.FundForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            org = org_get(scope=scope, code=data["org"].strip().upper(), perm=CharityPerm.MANAGE)
        except NotFoundError:
            form.add_error("org", "没有这个工会，或不在您的管理范围内")
        else:
            try:
                fund = services.fund_create(
                    actor=actor_of(request),
                    scope=scope,
                    org=org,
                    name=data["name"],
                    kind=data["kind"],
                    foundation=data["foundation"],
                    restricted=data["restricted"],
                    purpose=data["purpose"],
                    opened_on=data["opened_on"],
                    opening_balance_fen=data["opening_balance"],
                    note=data["note"],
                )
            except DomainError as exc:
                _apply(form, exc, {"opening_balance": "opening_balance"})
            else:
                messages.success(request, f"已设立“{fund.name}”，期初余额 {fen_to_yuan(fund.balance_fen)} 元。")
                return redirect("charity:fund", pk=fund.pk)
    return render(request, "charity/form.html", {"section": SECTION, "form": form, "title": "设立慈善基金"})


def _apply(form: Any, exc: DomainError, renames: dict[str, str] | None = None) -> None:
    """The service's refusal on the form's fields (a service's `amount` is the form's own amount box)."""
    if isinstance(exc.details, dict) and renames:
        exc.details = {renames.get(k, k): v for k, v in exc.details.items()}
    apply_domain_error(form, exc)


@login_required
def fund_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scope = require_perm(request, CharityPerm.VIEW)
    fund = _fund(request, pk)
    years = selectors.fund_years(fund=fund)
    year = _year(request, timezone.localdate().year)
    listing = list_page(request, selectors.fund_ledger(scope=scope, fund=fund))
    for entry in listing.rows:
        entry.what = _entry_label(entry)
        entry.income_fen = entry.amount_fen if entry.amount_fen >= 0 else None
        entry.outgo_fen = -entry.amount_fen if entry.amount_fen < 0 else None
    return render(
        request,
        "charity/fund_detail.html",
        {
            "section": SECTION,
            "fund": fund,
            "accounts": selectors.fund_year_accounts(fund=fund, year=year),
            "years": sorted({*years, timezone.localdate().year}, reverse=True),
            "year": year,
            **listing.context(),
            "projects": selectors.project_list(scope=scope, fund=fund)[:50],
            "can_donate": scope.has_perm(CharityPerm.DONATION, fund.org_path),
            "can_manage": scope.has_perm(CharityPerm.MANAGE, fund.org_path),
        },
    )


@login_required
def fund_disclosure(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request, CharityPerm.VIEW)
    fund = _fund(request, pk)
    year = _year(request, timezone.localdate().year - 1)
    public_url = request.build_absolute_uri(receipts.disclosure_path(fund.pk, year))
    return render(
        request,
        "charity/disclosure.html",
        {
            "section": SECTION,
            "fund": fund,
            "year": year,
            "d": selectors.fund_disclosure(fund=fund, year=year),
            "today": timezone.localdate(),
            "public_url": public_url,
            "qr": qr_data_uri(public_url),
        },
    )


def public_disclosure(request: HttpRequest, pk: int, year: int, signature: str) -> HttpResponse:
    """Public: a fund's year as its printed notice shows it (its QR code opens this), without signing in.

    Enterprises by name (anonymous ones as 爱心人士), workers counted, payments with organisations by name
    and people masked. The link's signature makes it the union's to publish; any other link is a 404.
    """
    if not constant_time_compare(signature, receipts.disclosure_signature(pk, year)):
        raise Http404
    fund = selectors.fund_public(pk=pk)
    return render(
        request,
        "charity/disclosure.html",
        {
            "public": True,
            "fund": fund,
            "year": year,
            "d": selectors.fund_disclosure(fund=fund, year=year),
            "today": timezone.localdate(),
        },
    )


def _year(request: HttpRequest, default: int) -> int:
    """The `?year=` asked for, or `default` when absent or not a plausible year (no value in the URL is an error)."""
    raw = request.GET.get("year", "").strip()
    if raw.isascii() and raw.isdigit() and len(raw) == 4 and selectors.YEARS[0] <= int(raw) <= selectors.YEARS[1]:
        return int(raw)
    return default


def _entry_label(entry: Any) -> str:
    """What a ledger row is, as the page shows it: the donor (爱心人士 if anonymous), or the project and payee."""
    if entry.donation_id:
        return entry.donation.shown_donor
    if entry.disbursement_id:
        paid = entry.disbursement
        return f"{paid.project.name}：{_payee(paid)}"
    return ""


# --- donations -------------------------------------------------------------------------------------


@login_required
def donation_new(request: HttpRequest, pk: int) -> HttpResponse:
    scope = require_perm(request, CharityPerm.DONATION)
    fund = found_or_404(selectors.fund_get, scope=scope, pk=pk, perm=CharityPerm.DONATION)
    posted = request.method == "POST"
    form = cf.DonationForm(request.POST if posted else None, request.FILES if posted else None)
    if posted and form.is_valid():
        data = form.cleaned_data
        stored = ""
        try:
            upload = data.get("agreement")
            if upload is not None and data["donor_kind"] == DonorKind.ENTERPRISE:
                stored = agreement_store(upload)
            donation = services.donation_record(
                actor=actor_of(request),
                scope=scope,
                fund=fund,
                donor=services.DonorIn(
                    kind=data["donor_kind"],
                    name=data["donor_name"],
                    uscc=data["uscc"],
                    id_number=data["id_number"],
                    anonymous=data["anonymous"],
                ),
                amount_fen=data["amount"],
                received_on=data["received_on"],
                channel=data["channel"],
                agreement_file=stored,
                note=data["note"],
            )
        except DomainError as exc:
            if stored:
                agreement_discard(stored)
            _apply(form, exc)
        else:
            messages.success(
                request, f"已登记{donation.shown_donor}捐赠 {fen_to_yuan(donation.amount_fen)} 元，计入“{fund.name}”。"
            )
            return redirect("charity:fund", pk=fund.pk)
    return render(
        request,
        "charity/form.html",
        {"section": SECTION, "form": form, "title": f"登记捐赠：{fund.name}", "fund": fund, "multipart": True},
    )


@login_required
def donation_list(request: HttpRequest) -> HttpResponse:
    scope = require_perm(request, CharityPerm.VIEW)
    listing = list_page(request, selectors.donation_list(scope=scope))
    return render(request, "charity/donation_list.html", {"section": SECTION, **listing.context()})


@login_required
def donation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scope = require_perm(request, CharityPerm.VIEW)
    donation = found_or_404(selectors.donation_get, scope=scope, pk=pk)
    can_refund = scope.has_perm(CharityPerm.REFUND, donation.org_path) and donation.net_fen > 0
    form = cf.RefundForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if not can_refund:
            require_perm(request, CharityPerm.REFUND, donation.org_path)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.donation_refund(
                    actor=actor_of(request),
                    scope=scope,
                    donation=donation,
                    amount_fen=data["amount"],
                    on=data["on"],
                    note=data["note"],
                )
            except DomainError as exc:
                _apply(form, exc)
            else:
                messages.success(request, f"已退还 {fen_to_yuan(data['amount'])} 元。")
                return redirect("charity:donation", pk=donation.pk)
    return render(
        request,
        "charity/donation_detail.html",
        {
            "section": SECTION,
            "donation": donation,
            "form": form,
            "can_refund": can_refund,
            "receipt": selectors.receipt_of(donation=donation),
            "can_issue": scope.has_perm(CharityPerm.DONATION, donation.org_path),
            "entries": selectors.donation_entries(scope=scope, donation=donation),
            "trace": [
                {"entry": share.entry, "what": _entry_label(share.entry), "amount_fen": share.amount_fen}
                for share in selectors.donation_trace(scope=scope, donation=donation)
            ],
        },
    )


@login_required
@require_POST
def donation_agreement(request: HttpRequest, pk: int) -> HttpResponse:
    """An enterprise's signed agreement, uploaded after its donation was recorded (or replacing it)."""
    scope = require_perm(request, CharityPerm.DONATION)
    donation = found_or_404(selectors.donation_get, scope=scope, pk=pk, perm=CharityPerm.DONATION)
    upload = request.FILES.get("agreement")
    if donation.donor_kind != DonorKind.ENTERPRISE or upload is None:
        messages.error(request, "请选择企业签字盖章的捐赠协议文件（PDF、JPG 或 PNG）。")
        return redirect("charity:donation", pk=donation.pk)
    previous = donation.agreement_file
    stored = ""
    try:
        stored = agreement_store(upload)
        services.donation_attach_agreement(actor=actor_of(request), scope=scope, donation=donation, stored_name=stored)
    except DomainError as exc:
        if stored:
            agreement_discard(stored)
        messages.error(request, refusal_text(exc))
    else:
        if previous:
            agreement_discard(previous)
        messages.success(request, "已上传捐赠协议。")
    return redirect("charity:donation", pk=donation.pk)


# --- receipts ------------------------------------------------------------------------------------


@login_required
@require_POST
def receipt_issue(request: HttpRequest, pk: int) -> HttpResponse:
    scope = require_perm(request, CharityPerm.DONATION)
    donation = found_or_404(selectors.donation_get, scope=scope, pk=pk, perm=CharityPerm.DONATION)
    services.receipt_issue(actor=actor_of(request), scope=scope, donation=donation)
    return redirect("charity:receipt", pk=donation.pk)


@login_required
def receipt(request: HttpRequest, pk: int) -> HttpResponse:
    """The printable receipt of a donation, with its number and a QR code to verify it on this server."""
    donation, issued = _issued_receipt(request, pk)
    url = verification_url(issued, request.build_absolute_uri("/"))
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="svg", scale=3, border=2, xmldecl=False, svgns=True)
    return render(
        request,
        "charity/receipt.html",
        {"section": SECTION, "donation": donation, "receipt": issued, "qr": mark_safe(out.getvalue().decode())},  # noqa: S308 - segno's own SVG
    )


def _issued_receipt(request: HttpRequest, pk: int) -> tuple[Donation, Receipt]:
    scope = require_perm(request, CharityPerm.VIEW)
    donation = found_or_404(selectors.donation_get, scope=scope, pk=pk)
    issued = selectors.receipt_of(donation=donation)
    if issued is None:
        raise Http404
    return donation, issued


@login_required
def receipt_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The receipt as a PDF (WeasyPrint), the same serial and verification QR code as the printable page."""
    donation, issued = _issued_receipt(request, pk)
    pdf = receipts.receipt_pdf(donation, issued, base_url=request.build_absolute_uri("/"))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{issued.serial}.pdf"'
    return response


def receipt_verify(request: HttpRequest, serial: str, signature: str) -> HttpResponse:
    """Public: whether a receipt is genuine (its number and signature), with what it says; nothing else."""
    if not constant_time_compare(signature, receipt_signature(serial)):
        raise Http404
    issued = selectors.receipt_by_serial(serial=serial)
    if issued is None:
        raise Http404
    return render(request, "charity/receipt_verify.html", {"receipt": issued, "donation": issued.donation})


# --- projects and disbursements -------------------------------------------------------------------


@login_required
def project_new(request: HttpRequest, pk: int) -> HttpResponse:
    scope = require_perm(request, CharityPerm.MANAGE)
    fund = found_or_404(selectors.fund_get, scope=scope, pk=pk, perm=CharityPerm.MANAGE)
    initial = {"purpose": fund.purpose} if fund.restricted else None
    form = cf.ProjectForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            project = services.project_create(
                actor=actor_of(request),
                scope=scope,
                fund=fund,
                name=data["name"],
                purpose=data["purpose"],
                budget_fen=data["budget"],
                industry=data["industry"],
                region_code=data["region_code"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                note=data["note"],
            )
        except DomainError as exc:
            _apply(form, exc)
        else:
            messages.success(request, f"已设立项目“{project.name}”。")
            return redirect("charity:project", pk=project.pk)
    return render(
        request,
        "charity/form.html",
        {"section": SECTION, "form": form, "title": f"设立项目：{fund.name}", "fund": fund},
    )


@login_required
def project_list(request: HttpRequest) -> HttpResponse:
    scope = require_perm(request, CharityPerm.VIEW)
    listing = list_page(request, selectors.project_list(scope=scope))
    return render(request, "charity/project_list.html", {"section": SECTION, **listing.context()})


def _payee(paid: Any) -> str:
    """Who a payment went to, as pages show it: a member's name masked, an organisation's in full."""
    return mask_name(paid.person.name) if paid.person_id else paid.recipient_name


def _project_page(
    request: HttpRequest,
    scope: Any,
    project: Project,
    *,
    form: cf.DisbursementForm | None = None,
    activity_form: cf.ActivityForm | None = None,
    grant_form: cf.StudentGrantForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The project's page: its payments, the payment form and its activities (a refused form keeps its input)."""
    listing = list_page(request, selectors.disbursement_list(scope=scope, project=project))
    for paid in listing.rows:
        paid.payee = _payee(paid)
    return render(
        request,
        "charity/project_detail.html",
        {
            "section": SECTION,
            "project": project,
            **listing.context(),
            "form": form or cf.DisbursementForm(),
            "can_disburse": scope.has_perm(CharityPerm.DISBURSE, project.org_path),
            "for_students": project.purpose in services.STUDENT_PURPOSES,
            "grant_form": grant_form or cf.StudentGrantForm(prefix="grant"),
            **_activities(scope, project, activity_form),
        },
        status=status,
    )


@login_required
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scope = require_perm(request, CharityPerm.VIEW)
    return _project_page(request, scope, _project(request, pk))


def _activities(scope: Any, project: Project, form: cf.ActivityForm | None = None) -> dict[str, Any]:
    return {
        "activities": selectors.activity_list(scope=scope, project=project)[:100],
        "activity_form": form or cf.ActivityForm(prefix="activity"),
        "can_record_activity": scope.has_perm(CharityPerm.ACTIVITY, project.org_path),
    }


@login_required
@require_POST
def project_activity(request: HttpRequest, pk: int) -> HttpResponse:
    scope = require_perm(request, CharityPerm.ACTIVITY)
    project = found_or_404(selectors.project_get, scope=scope, pk=pk, perm=CharityPerm.ACTIVITY)
    form = cf.ActivityForm(request.POST, prefix="activity")
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.activity_record(
                actor=actor_of(request),
                scope=scope,
                project=project,
                name=data["name"],
                held_on=data["held_on"],
                region_code=data["region_code"],
                participants=data["participants"] or 0,
                note=data["note"],
            )
        except DomainError as exc:
            _apply(form, exc)
        else:
            messages.success(request, f"已登记活动“{data['name']}”。")
            return redirect("charity:project", pk=project.pk)
    return _project_page(request, scope, project, activity_form=form, status=400)


@login_required
@require_POST
def project_disburse(request: HttpRequest, pk: int) -> HttpResponse:
    scope = require_perm(request, CharityPerm.DISBURSE)
    project = found_or_404(selectors.project_get, scope=scope, pk=pk, perm=CharityPerm.DISBURSE)
    form = cf.DisbursementForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        membership = None
        if data["recipient_kind"] == RecipientKind.MEMBER and data["member"]:
            membership = active_member_by_key(scope=scope, key=data["member"], perm=CharityPerm.DISBURSE)
            if membership is None:
                form.add_error("member", "本工会范围内没有这名在册会员，请核对会员编号或证件号码。")
        if not form.errors:
            try:
                services.disbursement_record(
                    actor=actor_of(request),
                    scope=scope,
                    fund=project.fund,
                    project=project,
                    recipient=services.RecipientIn(
                        kind=data["recipient_kind"], name=data["recipient_name"], membership=membership
                    ),
                    amount_fen=data["amount"],
                    paid_on=data["paid_on"],
                    note=data["note"],
                )
            except DomainError as exc:
                _apply(form, exc)
            else:
                messages.success(request, f"已登记支出 {fen_to_yuan(data['amount'])} 元。")
                return redirect("charity:project", pk=project.pk)
    return _project_page(request, scope, project, form=form, status=400)


@login_required
@require_POST
def project_student_grant(request: HttpRequest, pk: int) -> HttpResponse:
    """Pay a 金秋助学 student from a 助学 project: the grant shows on the student's whole course."""
    scope = require_perm(request, CharityPerm.DISBURSE)
    project = found_or_404(selectors.project_get, scope=scope, pk=pk, perm=CharityPerm.DISBURSE)
    form = cf.StudentGrantForm(request.POST, prefix="grant")
    if form.is_valid():
        data = form.cleaned_data
        try:
            application = student_aid_selectors.application_get(scope=scope, pk=data["application"])
        except NotFoundError:
            form.add_error("application", "本工会范围内没有这份金秋助学申请，请核对编号。")
        else:
            try:
                services.student_grant_record(
                    actor=actor_of(request),
                    scope=scope,
                    project=project,
                    application=application,
                    amount_fen=data["amount"],
                    paid_on=data["paid_on"],
                    note=data["note"],
                )
            except DomainError as exc:
                _apply(form, exc)
            else:
                messages.success(
                    request, f"已资助 {mask_name(application.student_name)} {fen_to_yuan(data['amount'])} 元。"
                )
                return redirect("charity:project", pk=project.pk)
    return _project_page(request, scope, project, grant_form=form, status=400)
