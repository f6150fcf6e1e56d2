"""公示 of 金秋助学, on the shared mechanism (`gonghui.notices`): publish the approved applications,
record and resolve objections, close.

    approved → published (公示) → rejected when an objection is upheld (the entry is removed: `entry_removed`)
    open 公示 → closed once its window is over and no objection is open: the rest are ready to pay

The public list is read by `selectors.publication_entries` (never an ID number).
Every write is audited (as `student_aid.publish`, `student_aid.objection` … by `notices.services`).
"""

from __future__ import annotations

from datetime import date

from django.db import transaction

from gonghui.accounts.models import User
from gonghui.core.errors import DomainError
from gonghui.core.money import fen_to_yuan
from gonghui.core.scoping import Scope, require_perm_at, subtree_q, unscoped
from gonghui.notices import services as notices
from gonghui.notices.kinds import NoticeKind
from gonghui.notices.models import DayBasis, PublicationEntry
from gonghui.notices.selectors import entry_of
from gonghui.orgs.models import Org
from gonghui.student_aid.applications import STATES, locked_application
from gonghui.student_aid.models import (
    ApplicationStatus,
    Objection,
    Publication,
    StudentAidApplication,
    StudentLevel,
)
from gonghui.student_aid.permissions import StudentAidPerm
from gonghui.student_aid.selectors import PUBLICATION_KIND

KIND = PUBLICATION_KIND


def entry_removed(entry: PublicationEntry, note: str, actor: User | None) -> None:
    """An objection to the entry was upheld: its application is rejected with the reason (in the transaction)."""
    application = locked_application(StudentAidApplication(pk=entry.subject_id))
    if application.status == ApplicationStatus.PUBLISHED:
        application.status = ApplicationStatus.REJECTED
        application.status_note = f"公示异议成立：{note}"[:200]
        application.save(update_fields=["status", "status_note"])


NOTICE_KIND = NoticeKind(
    key=KIND,
    label="金秋助学",
    view_perm=StudentAidPerm.VIEW,
    publish_perm=StudentAidPerm.PUBLISH,
    resolve_perm=StudentAidPerm.APPROVE,
    name_heading="学生姓名",
    columns=(("school", "就读院校"), ("level", "学段"), ("union", "基层工会"), ("amount_yuan", "资助金额（元）")),
    on_removed=entry_removed,
    detail_url_name="student_aid:publication",
)


def publication_create(
    *,
    actor: User | None,
    scope: Scope | None,
    org: Org,
    school_year: int,
    days: int,
    title: str = "",
    starts_on: date | None = None,
    application_ids: list[int] | None = None,
    day_basis: str = DayBasis.CALENDAR,
) -> Publication:
    """Publish the approved applications of a school year in `org`'s subtree (or those listed) for `days` days."""
    require_perm_at(scope, StudentAidPerm.PUBLISH, org.path)
    if days < 1:
        raise DomainError("notices.days_invalid", field="days")
    with transaction.atomic(), unscoped():
        qs = StudentAidApplication.all_objects.select_for_update(of=("self",)).filter(
            subtree_q("org_path", org.path), school_year=school_year, status=ApplicationStatus.APPROVED
        )
        if application_ids is not None:
            qs = qs.filter(pk__in=application_ids)
        rows = sorted(qs.select_related("org"), key=lambda a: (a.org.name, a.student_name, a.pk))
        if not rows:
            raise DomainError("student_aid.nothing_to_publish")
        publication = notices.publication_create(
            actor=actor,
            scope=scope,
            kind=KIND,
            org=org,
            year=school_year,
            title=title.strip() or f"{org.name}{school_year}年金秋助学拟资助名单公示",
            lead=f"根据金秋助学工作安排，经职工本人申请、基层工会审核、{org.name}审批，"
            f"拟对以下 {len(rows)} 名职工子女给予{school_year}学年金秋助学资助，现予公示。",
            entries=[
                notices.EntryIn(
                    subject=a,
                    name=a.student_name,
                    details={
                        "school": a.school,
                        "level": str(StudentLevel(a.level).label),
                        "union": a.org.name,
                        "amount_yuan": fen_to_yuan(a.amount_fen),
                    },
                )
                for a in rows
            ],
            days=days,
            day_basis=day_basis,
            starts_on=starts_on,
        )
        StudentAidApplication.all_objects.filter(pk__in=[a.pk for a in rows]).update(
            status=ApplicationStatus.PUBLISHED, publication=publication
        )
    return Publication.all_objects.get(pk=publication.pk)


def objection_record(
    *,
    actor: User | None,
    scope: Scope | None,
    application: StudentAidApplication,
    reason: str,
    raised_by: str = "",
    on: date | None = None,
) -> Objection:
    """Record an objection to a published application, received within its 公示 window."""
    if not reason.strip():
        raise DomainError("notices.objection_reason_required", field="reason")
    with transaction.atomic(), unscoped():
        application = locked_application(application)
        if application.status != ApplicationStatus.PUBLISHED or application.publication_id is None:
            raise DomainError("student_aid.wrong_status", state=STATES[application.status], action="登记异议")
        entry = entry_of(Publication.all_objects.get(pk=application.publication_id), application)
        if entry is None:  # published before the shared 公示 and not carried over: cannot happen after 0003
            raise DomainError("student_aid.wrong_status", state=STATES[application.status], action="登记异议")
        objection = notices.objection_record(
            actor=actor, scope=scope, entry=entry, reason=reason, raised_by=raised_by, on=on
        )
    return Objection.all_objects.get(pk=objection.pk)


def objection_resolve(
    *, actor: User | None, scope: Scope | None, objection: Objection, upheld: bool, note: str
) -> Objection:
    """Resolve an objection: upheld rejects the application, dismissed keeps it on the list."""
    resolved = notices.objection_resolve(actor=actor, scope=scope, objection=objection, upheld=upheld, note=note)
    return Objection.all_objects.get(pk=resolved.pk)


def publication_close_refusal(publication: Publication, *, on: date | None = None) -> DomainError | None:
    """Why the 公示 cannot be ended on `on` (today); None when it can (`notices.services`)."""
    return notices.publication_close_refusal(publication, on=on)


def publication_close(
    *, actor: User | None, scope: Scope | None, publication: Publication, on: date | None = None
) -> Publication:
    """End the 公示 once its window is over and every objection is resolved: the rest are ready to pay."""
    notices.publication_close(actor=actor, scope=scope, publication=publication, on=on)
    return Publication.all_objects.get(pk=publication.pk)
