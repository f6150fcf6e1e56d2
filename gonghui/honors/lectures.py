"""Lecture tours (劳模工匠宣讲): a 劳模 or 工匠 on the register speaking at a union or an enterprise.

The speaker must hold a 劳模 or 工匠 honor (`MODEL_WORKER_KINDS`) on the register; the lecture
belongs to the hosting union (its scope), which records and corrects it. Writes are audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import transaction

from gonghui.accounts.models import User
from gonghui.core.audit import audit_record
from gonghui.core.errors import DomainError
from gonghui.core.scoping import Scope, require_perm_at, unscoped
from gonghui.honors.models import MODEL_WORKER_KINDS, HonorHeld, Lecture
from gonghui.honors.permissions import HonorPerm
from gonghui.orgs.models import Org


@dataclass(frozen=True)
class LectureIn:
    held_on: date
    place: str
    audience: int
    topic: str = ""
    host: str = ""


def speaker_honor(person_id: int) -> HonorHeld | None:
    """The speaker's latest 劳模 or 工匠 honor on the register, None when they hold none."""
    with unscoped():
        return (
            HonorHeld.all_objects.filter(person_id=person_id, kind__in=MODEL_WORKER_KINDS)
            .order_by("-year", "-pk")
            .first()
        )


def _check(facts: LectureIn) -> None:
    # The form checks both first (every error at once); these guard the API and other callers.
    if facts.audience < 0:
        raise DomainError("honors.lecture_audience_invalid", field="audience")
    if not facts.place.strip():
        raise DomainError("honors.lecture_place_required", field="place")


def lecture_record(*, actor: User | None, scope: Scope | None, org: Org, speaker_id: int, facts: LectureIn) -> Lecture:
    """Record a lecture hosted by `org` (or an enterprise under it) by a 劳模 or 工匠 on the register."""
    require_perm_at(scope, HonorPerm.MANAGE, org.path)
    honor = speaker_honor(speaker_id)
    if honor is None:
        raise DomainError("honors.lecture_not_model_worker", field="speaker")
    _check(facts)
    with transaction.atomic():
        lecture = Lecture.all_objects.create(
            speaker_id=speaker_id,
            speaker_name=honor.holder_name,
            org=org,
            org_path=org.path,
            held_on=facts.held_on,
            place=facts.place.strip()[:200],
            topic=facts.topic.strip()[:200],
            host=facts.host.strip()[:200],
            audience=facts.audience,
            recorded_by=actor if actor is not None and actor.pk else None,
        )
        audit_record(
            actor=actor,
            action="honors.lecture",
            org=org,
            target=lecture,
            data={"speaker": honor.holder_name, "held_on": facts.held_on.isoformat(), "audience": facts.audience},
        )
    return lecture


def lecture_update(*, actor: User | None, scope: Scope | None, lecture: Lecture, org: Org, facts: LectureIn) -> Lecture:
    """Correct a lecture: its date, place, topic, host, audience, or the union hosting it (both in scope)."""
    require_perm_at(scope, HonorPerm.MANAGE, lecture.org_path)
    require_perm_at(scope, HonorPerm.MANAGE, org.path)
    _check(facts)
    with transaction.atomic(), unscoped():
        lecture = Lecture.all_objects.select_for_update().get(pk=lecture.pk)
        before = {"held_on": lecture.held_on.isoformat(), "audience": lecture.audience, "org": lecture.org_id}
        lecture.org, lecture.org_path = org, org.path
        lecture.held_on, lecture.audience = facts.held_on, facts.audience
        lecture.place, lecture.topic, lecture.host = (
            facts.place.strip()[:200],
            facts.topic.strip()[:200],
            facts.host.strip()[:200],
        )
        lecture.save()
        audit_record(
            actor=actor,
            action="honors.lecture_update",
            org=org,
            target=lecture,
            data={
                "before": before,
                "after": {"held_on": facts.held_on.isoformat(), "audience": facts.audience, "org": org.pk},
            },
        )
    return lecture
