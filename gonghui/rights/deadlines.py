"""How long each step of a case may take, by tier (DOMAIN §8: three tiers, values not published).

The days are settings (`GONGHUI_HOTLINE_DEADLINES`, merged over `DEFAULT_DAYS`), so a province
sets its own. A step's deadline is its start plus its days, in calendar days; `now()` is the one
clock every service reads, so tests freeze it in one place.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from gonghui.rights.models import CaseStatus
from gonghui.rights.words import Tier

# The step a state waits for, and who waits: pending → take on or pass; handling → the result;
# replied → the follow-up call; followed → the quality check; checked → the closing.
STEP_OF_STATUS: dict[str, str] = {
    CaseStatus.PENDING: "dispatch",
    CaseStatus.HANDLING: "handle",
    CaseStatus.REPLIED: "followup",
    CaseStatus.FOLLOWED: "check",
    CaseStatus.CHECKED: "check",
}
STEP_LABELS = {"dispatch": "签收转办", "handle": "办理答复", "followup": "回访", "check": "质检结案"}

DEFAULT_DAYS: dict[str, dict[str, int]] = {
    Tier.GENERAL: {"dispatch": 1, "handle": 5, "followup": 2, "check": 2},
    Tier.DIFFICULT: {"dispatch": 2, "handle": 10, "followup": 3, "check": 3},
    Tier.COMPLEX: {"dispatch": 3, "handle": 20, "followup": 5, "check": 5},
}


def now() -> datetime:
    return timezone.now()


def step_days(tier: str, step: str) -> int:
    """The days `step` may take for a case of `tier` (the settings' value over the default)."""
    configured = getattr(settings, "GONGHUI_HOTLINE_DEADLINES", {}) or {}
    days = configured.get(tier, {}).get(step)
    if days is None:
        days = DEFAULT_DAYS[tier][step]
    return int(days)


def step_deadline(*, tier: str, status: str, started: datetime) -> datetime | None:
    """When the step a case in `status` waits for is due; None once closed."""
    step = STEP_OF_STATUS.get(status)
    if step is None:
        return None
    return started + timedelta(days=step_days(tier, step))


def is_overdue(*, status: str, due: datetime | None, at: datetime | None = None) -> bool:
    return status in STEP_OF_STATUS and due is not None and due < (at or now())
