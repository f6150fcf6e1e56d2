"""The hotline case's state machine, in one place (DOMAIN §8):

    intake ─┬─ a consultation answered on the call ───────────────────────────────→ closed
            └→ pending (at the intake union)
    pending ── hand_down (to a union directly below) / send_up (with a reason) ──→ pending
    pending ── take ─→ handling ── reply (the result) ─→ replied
    replied ── follow_up: 满意 / 基本满意, or 不满意 a second time ─→ followed
            └─ follow_up: 不满意 the first time ─→ handling (at the union that handled it)
    followed ── check ─→ checked ── close ─→ closed

`at` says whose step it is: the union holding the case (`org`) or the one that took the call
(`intake`); a transition's permission is checked on that union's path.
"""

from __future__ import annotations

from dataclasses import dataclass

from gonghui.rights.models import CaseStatus
from gonghui.rights.permissions import RightsPerm


@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    sources: tuple[str, ...]
    target: str
    perm: str
    at: str  # "org" or "intake"
    note_required: bool = False


TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in (
        Transition("hand_down", "转办下级", (CaseStatus.PENDING,), CaseStatus.PENDING, RightsPerm.HANDLE, "org"),
        Transition(
            "send_up",
            "退回上级",
            (CaseStatus.PENDING,),
            CaseStatus.PENDING,
            RightsPerm.HANDLE,
            "org",
            note_required=True,
        ),
        Transition("take", "签收办理", (CaseStatus.PENDING,), CaseStatus.HANDLING, RightsPerm.HANDLE, "org"),
        Transition(
            "reply",
            "办结答复",
            (CaseStatus.HANDLING,),
            CaseStatus.REPLIED,
            RightsPerm.HANDLE,
            "org",
            note_required=True,
        ),
        Transition("follow_up", "回访", (CaseStatus.REPLIED,), CaseStatus.FOLLOWED, RightsPerm.INTAKE, "intake"),
        Transition("check", "质检", (CaseStatus.FOLLOWED,), CaseStatus.CHECKED, RightsPerm.CHECK, "intake"),
        Transition("close", "结案", (CaseStatus.CHECKED,), CaseStatus.CLOSED, RightsPerm.INTAKE, "intake"),
    )
}
# Recorded on a case without moving it.
RECORDS = {"contact": ("联系当事人", (CaseStatus.HANDLING,), RightsPerm.HANDLE, "org")}
EVENT_LABELS = {
    "intake": "受理",
    "answered": "当场答复结案",
    **{name: t.label for name, t in TRANSITIONS.items()},
    "reopen": "不满意，重新办理",
    "contact": "联系当事人",
    "remind": "督办",
}
