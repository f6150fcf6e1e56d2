"""Reads on 金秋助学: the officers' lists within their scope, a member's own applications, the amount that
applies, the approving federation, the public 公示 list, and the applications as cross-check subjects."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, cast

from django.db.models import Count, QuerySet, Sum
from django.urls import reverse

from gonghui.aid.models import OPEN_STATUSES, FamilyMember, HardshipFile
from gonghui.core.errors import NotFoundError
from gonghui.core.regions import first_by_region
from gonghui.core.scoping import Scope, subtrees_q, unscoped
from gonghui.members.models import Person
from gonghui.notices import selectors as notices_selectors
from gonghui.orgs.models import Org, OrgKind
from gonghui.student_aid.models import (
    AidStandard,
    ApplicationStatus,
    Objection,
    Publication,
    StudentAidApplication,
)
from gonghui.student_aid.permissions import StudentAidPerm

PUBLICATION_KIND = "student_aid"  # the notice kind of 金秋助学's 公示 (`publication.NOTICE_KIND`)

if TYPE_CHECKING:
    from gonghui.crosscheck.services import Subject
    from gonghui.crosscheck.subjects import SubjectView

FEDERATIONS = (OrgKind.COUNTY_FEDERATION, OrgKind.CITY_FEDERATION, OrgKind.PROVINCE_FEDERATION)
CROSSCHECK_SUBJECT = "student_aid.application"


def application_list(
    *, scope: Scope, school_year: int | None = None, status: str = "", perm: str = StudentAidPerm.VIEW
) -> QuerySet[StudentAidApplication]:
    qs = StudentAidApplication.objects.within(scope, perm).select_related("org").order_by("-school_year", "-id")
    if school_year is not None:
        qs = qs.filter(school_year=school_year)
    if status:
        qs = qs.filter(status=status)
    return qs


def application_get(*, scope: Scope, pk: int, perm: str = StudentAidPerm.VIEW) -> StudentAidApplication:
    """One application within the scope; another union's is a 404."""
    application = application_list(scope=scope, perm=perm).filter(pk=pk).first()
    if application is None:
        raise NotFoundError()
    return application


def publication_list(*, scope: Scope) -> QuerySet[Publication]:
    """The 公示 of the unions in the scope, newest first."""
    qs = Publication.objects.within(scope, StudentAidPerm.VIEW).filter(kind=PUBLICATION_KIND)
    return cast("QuerySet[Publication]", qs.select_related("org").order_by("-starts_on", "-pk"))


def publication_get(*, scope: Scope, pk: int) -> Publication:
    publication = publication_list(scope=scope).filter(pk=pk).first()
    if publication is None:
        raise NotFoundError()
    return publication


def objection_list(*, scope: Scope, publication: Publication) -> QuerySet[Objection]:
    """The objections raised against a 公示 (the caller has resolved the publication in its scope)."""
    qs = Objection.objects.within(scope, StudentAidPerm.VIEW).filter(publication=publication)
    return cast("QuerySet[Objection]", qs.select_related("entry").order_by("pk"))


def standard_list(*, year: int | None = None, limit: int = 5000) -> list[AidStandard]:
    """The amount table (policy, not a union's data: every officer may read it), by region and newest year."""
    qs = AidStandard.objects.order_by("region_code", "-year")
    if year is not None:
        qs = qs.filter(year=year)
    return list(qs[:limit])


def member_applications(*, person: Person) -> list[dict[str, Any]]:
    """A member's own applications, newest school year first, with their status as the member reads it."""
    with unscoped():
        rows = StudentAidApplication.all_objects.filter(person=person).order_by("-school_year", "-id")
        return [
            {
                "id": a.pk,
                "student_name": a.student_name,
                "school_year": a.school_year,
                "school": a.school,
                "level": a.get_level_display(),
                "amount_yuan": f"{a.amount_fen / 100:.2f}",
                "status": a.status,
                "status_label": a.get_status_display(),
                "note": a.status_note,
                "paid_at": a.paid_at,
            }
            for a in rows
        ]


def member_application_get(*, person: Person, pk: int) -> StudentAidApplication:
    """A member's own application; anybody else's is a 404."""
    with unscoped():
        application = StudentAidApplication.all_objects.filter(person=person, pk=pk).first()
    if application is None:
        raise NotFoundError()
    return application


def student_course(application: StudentAidApplication, *, own_only: bool = False) -> dict[str, Any]:
    """The student's whole course of aid (every school year, whoever applied): years and the total paid.

    `own_only`: only the applications of the same applicant (the member's phone shows no one else's).
    """
    with unscoped():
        rows = StudentAidApplication.all_objects.filter(student_id_index=application.student_id_index)
        if own_only:
            rows = rows.filter(person_id=application.person_id)
        years = list(rows.order_by("school_year").values("school_year", "level", "status", "amount_fen"))
        paid = rows.filter(status=ApplicationStatus.PAID).aggregate(fen=Sum("amount_fen"))["fen"] or 0
    return {"years": years, "paid_fen": paid}


# Other money a student's course received beside 金秋助学 (an enterprise's charity fund…): apps above this
# one register a provider, student_id_index → rows {"school_year", "source", "amount_fen", "paid_on"}; this
# app never imports them.
CourseLines = Callable[[str], list[dict[str, Any]]]
_course_line_providers: list[CourseLines] = []


def register_course_lines(provider: CourseLines) -> None:
    if provider not in _course_line_providers:
        _course_line_providers.append(provider)


def other_course_lines(student_id_index: str) -> list[dict[str, Any]]:
    """The student's other grants (every registered provider), by school year then date."""
    rows = [row for provider in _course_line_providers for row in provider(student_id_index)]
    return sorted(rows, key=lambda r: (r["school_year"], r["paid_on"]))


def paid_by_school_year(paths: list[str] | None) -> dict[int, dict[str, Any]]:
    """Aid paid in the subtrees (None: everywhere) by school year: {year: {"students", "yuan"}}, oldest first."""
    with unscoped():
        qs = StudentAidApplication.all_objects.filter(status=ApplicationStatus.PAID)
        if paths is not None:
            qs = qs.filter(subtrees_q("org_path", paths))
        rows = (
            qs.values("school_year")
            .annotate(students=Count("student_id_index", distinct=True), fen=Sum("amount_fen"))
            .order_by("school_year")
        )
        return {r["school_year"]: {"students": r["students"], "yuan": r["fen"] / 100} for r in rows}


# --- the amount that applies, and who approves ---------------------------------------------------------


def aid_standard(region_code: str, year: int, level: str, on_file: bool) -> AidStandard | None:
    """The standard that applies in a region: its own, else its prefecture's, else its province's."""
    return first_by_region(AidStandard.objects.filter(year=year, level=level, on_file=on_file), region_code)


def _ancestors(org: Org) -> list[Org]:
    """The orgs above `org`, nearest first."""
    return sorted(Org.all_objects.filter(pk__in=org.ancestor_ids), key=lambda o: -len(o.path))


def region_of(org: Org) -> str:
    """The org's region code, else the nearest ancestor's."""
    if org.region_code:
        return org.region_code
    with unscoped():
        for ancestor in _ancestors(org):
            if ancestor.region_code:
                return ancestor.region_code
    return ""


def approving_org(org: Org) -> Org:
    """The federation that approves an application of `org`: the nearest county (else city, province) above it."""
    with unscoped():
        above = _ancestors(org)
    for kind in FEDERATIONS:
        found = next((o for o in above if o.kind == kind), None)
        if found is not None:
            return found
    return above[0] if above else org


def is_on_file(person: Person) -> bool:
    """Whether the worker's household is in an open hardship file, as its main worker or as family."""
    with unscoped():
        files = HardshipFile.objects.filter(status__in=OPEN_STATUSES)
        if files.filter(person_id=person.pk).exists():
            return True
        return FamilyMember.objects.filter(file__status__in=OPEN_STATUSES, id_index=person.id_index).exists()


# --- 公示 ------------------------------------------------------------------------------------------


def publication_entries(publication: Publication) -> list[dict[str, Any]]:
    """The public list: student name, school, level, union and amount (yuan). Never an ID number, masked or not.

    The entries of the shared 公示 still listed (an upheld objection removes one), as published.
    """
    return notices_selectors.publication_entries(publication)


# --- the applications as cross-check subjects ---------------------------------------------------------


def describe_application_subjects(ids: Sequence[str]) -> dict[str, SubjectView]:
    """For the review pages: "张小明（2026 学年，祁阳县第一中学）", linking to the application."""
    from gonghui.crosscheck.subjects import SubjectView

    with unscoped():
        rows = StudentAidApplication.all_objects.filter(pk__in=[int(i) for i in ids]).values_list(
            "pk", "student_name", "school_year", "school"
        )
        return {
            str(pk): SubjectView(
                "金秋助学申请", f"{name}（{year} 学年，{school}）", reverse("student_aid:application", args=[pk])
            )
            for pk, name, year, school in rows
        }


def open_application_subjects(paths: list[str]) -> list[tuple[Subject, int]]:
    """Applications not yet approved in the subtrees, with their school year (what approval will check)."""
    from gonghui.crosscheck.services import Subject

    with unscoped():
        rows = StudentAidApplication.all_objects.filter(
            subtrees_q("org_path", paths), status__in=(ApplicationStatus.APPLIED, ApplicationStatus.UNIT_REVIEWED)
        ).select_related("org")
        return [(Subject(CROSSCHECK_SUBJECT, a.pk, a.student_id_index, a.org), a.school_year) for a in rows]
