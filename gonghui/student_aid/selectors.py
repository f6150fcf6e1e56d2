"""Reads on 金秋助学: the officers' lists within their scope, and a member's own applications."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet, Sum

from gonghui.core.errors import NotFoundError
from gonghui.core.scoping import Scope, subtrees_q, unscoped
from gonghui.members.models import Person
from gonghui.student_aid.models import AidStandard, ApplicationStatus, Objection, Publication, StudentAidApplication
from gonghui.student_aid.permissions import StudentAidPerm


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
    return Publication.objects.within(scope, StudentAidPerm.VIEW).select_related("org").order_by("-starts_on", "-pk")


def publication_get(*, scope: Scope, pk: int) -> Publication:
    publication = publication_list(scope=scope).filter(pk=pk).first()
    if publication is None:
        raise NotFoundError()
    return publication


def objection_list(*, scope: Scope, publication: Publication) -> QuerySet[Objection]:
    """The objections raised against a 公示 (the caller has resolved the publication in its scope)."""
    return (
        Objection.objects.within(scope, StudentAidPerm.VIEW)
        .filter(publication=publication)
        .select_related("application")
        .order_by("pk")
    )


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


def student_course(application: StudentAidApplication) -> dict[str, Any]:
    """The student's whole course of aid (every school year, whoever applied): years and the total paid."""
    with unscoped():
        rows = StudentAidApplication.all_objects.filter(student_id_index=application.student_id_index)
        years = list(rows.order_by("school_year").values("school_year", "level", "status", "amount_fen"))
        paid = rows.filter(status=ApplicationStatus.PAID).aggregate(fen=Sum("amount_fen"))["fen"] or 0
    return {"years": years, "paid_fen": paid}


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
