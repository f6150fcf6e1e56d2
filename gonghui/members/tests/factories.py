"""Factories and helpers for the registry tests: ID numbers, people, memberships, an API caller.

Numbers are synthetic but valid GB 11643 numbers (`id_number_with_check`); the
sequence `seq` (0–999) keeps them apart inside one test, odd for men.
"""

from __future__ import annotations

import json
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from gonghui.core.idnumbers import id_number_with_check
from gonghui.core.models import AuditEvent
from gonghui.core.scoping import subtrees_q, unscoped
from gonghui.core.tests.clients import client
from gonghui.members import services
from gonghui.members.models import (
    LIVE_STATUSES,
    MEMBER_STATUSES,
    Membership,
    MembershipEvent,
    MembershipStatus,
    MemberTally,
    Person,
    Transfer,
)
from gonghui.orgs.models import Org

FULL_WIDTH_OFFSET = 0xFEE0


def id_number(seq: int, *, area: str = "520102", birth: str = "19900307") -> str:
    """A valid 18-character number: area + birth date + `seq` + check character."""
    return id_number_with_check(f"{area}{birth}{seq:03d}")


def id_number_ending_in_x(*, area: str = "520102", birth: str = "19850101") -> str:
    """A valid number whose check character is X (to test lowercase x)."""
    return next(n for n in (id_number(s, area=area, birth=birth) for s in range(1000)) if n.endswith("X"))


def full_width(text: str) -> str:
    """ASCII digits and letters as their full-width forms (what some input methods type)."""
    return "".join(chr(ord(c) + FULL_WIDTH_OFFSET) if c.isascii() and c.isalnum() else c for c in text)


def register(org: Org, number: str, *, name: str = "王小明", id_type: str = "1", **fields: Any) -> Membership:
    """An active member registered from the console (no actor, no scope)."""
    return services.member_register(
        actor=None, scope=None, org=org, id_number=number, id_type=id_type, fields={"name": name, **fields}
    )


def apply(org: Org, number: str, *, name: str = "李四", mobile: str = "13800138000", **fields: Any) -> Membership:
    """A worker's own join application (status 待审核)."""
    return services.join_apply(org=org, id_number=number, fields={"name": name, "mobile": mobile, **fields})


def reload(ms: Membership) -> Membership:
    return Membership.all_objects.select_related("person", "org").get(pk=ms.pk)


def live_memberships(person_id: int) -> list[Membership]:
    return list(Membership.all_objects.filter(person_id=person_id, status__in=[s.value for s in LIVE_STATUSES]))


def today_iso() -> str:
    return timezone.localdate().isoformat()


def has_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


class Api:
    """A caller that speaks JSON with a bearer token, as an integration does (no CSRF token)."""

    def __init__(self, headers: dict[str, str]) -> None:
        self.headers = headers

    def get(self, url: str, **params: Any):
        return client(csrf=True).get(url, params, **self.headers)

    def send(self, method: str, url: str, body: Any = None):
        return getattr(client(csrf=True), method)(
            url, data=json.dumps(body if body is not None else {}), content_type="application/json", **self.headers
        )

    def post(self, url: str, body: Any = None):
        return self.send("post", url, body)

    def patch(self, url: str, body: Any):
        return self.send("patch", url, body)


def assert_error(resp, status: int, code: str, message: str | None = None) -> dict[str, Any]:
    """The one error shape: `{"code", "message", "details"}` with a Chinese message."""
    assert resp.status_code == status, resp.content.decode()
    body = resp.json()
    assert set(body) == {"code", "message", "details"}
    assert body["code"] == code, body
    if message is not None:
        assert body["message"] == message
    assert has_chinese(body["message"])
    return body


def registry_state() -> dict[str, Any]:
    """Every registry row and audit event: what a refused request must leave alone."""
    return {
        "persons": list(Person.objects.order_by("pk").values()),
        "memberships": list(Membership.all_objects.order_by("pk").values()),
        "events": list(MembershipEvent.all_objects.order_by("pk").values()),
        "transfers": list(Transfer.all_objects.order_by("pk").values()),
        "tallies": list(MemberTally.objects.order_by("pk").values()),
        "audit": list(AuditEvent.all_objects.order_by("pk").values_list("pk", "action", "org_path", "data")),
    }


def new_audit_actions(before: dict[str, Any]) -> list[str]:
    seen = {row[0] for row in before["audit"]}
    return [e.action for e in AuditEvent.all_objects.order_by("pk") if e.pk not in seen]


def direct_counts(paths: list[str] | None) -> dict[str, int]:
    """`member_counts` recomputed in one query over Membership rows joined to Person."""
    members = Q(status__in=[s.value for s in MEMBER_STATUSES])
    with unscoped():
        qs = Membership.all_objects.all()
        if paths is not None:
            qs = qs.filter(subtrees_q("org_path", paths))
        return qs.aggregate(
            members=Count("pk", filter=members),
            members_new_employment=Count("pk", filter=members & ~Q(person__new_employment_type="")),
            members_migrant=Count("pk", filter=members & Q(person__is_migrant_worker=True)),
            members_active=Count("pk", filter=Q(status=MembershipStatus.ACTIVE)),
            members_transfer_pending=Count("pk", filter=Q(status=MembershipStatus.TRANSFER_PENDING)),
            members_retained=Count("pk", filter=Q(status=MembershipStatus.RETAINED)),
            members_applied=Count("pk", filter=Q(status=MembershipStatus.APPLIED)),
            members_withdrawn=Count("pk", filter=Q(status=MembershipStatus.WITHDRAWN)),
            members_expelled=Count("pk", filter=Q(status=MembershipStatus.EXPELLED)),
        )
