"""The member's own honors on the phone (`/m/honors/`): read through their person, so another's is a 404."""

from __future__ import annotations

from django.db.models import QuerySet

from gonghui.core.scoping import unscoped
from gonghui.honors.models import HonorHeld
from gonghui.members.models import Person
from gonghui.notices.models import Certificate


def member_honors(*, person: Person) -> QuerySet[HonorHeld]:
    """Every honor the member holds (title, level, year, awarding body), newest first."""
    with unscoped():
        return HonorHeld.all_objects.filter(person=person).select_related("certificate").order_by("-year", "-pk")


def member_certificate(*, person: Person, honor_id: int) -> Certificate | None:
    """The certificate of one of the member's own honors; None for another's honor or one without."""
    with unscoped():
        honor = HonorHeld.all_objects.filter(person=person, pk=honor_id).select_related("certificate").first()
    return honor.certificate if honor is not None else None
