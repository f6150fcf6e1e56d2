"""The review queue, a review's evidence and decision, and the agency lists, by role and scope.

Reviews sit at 520201G001 (under 钟山 520201); callers hold grants on 520201
except `foreign`, an officer of 520102 南明区. A refused decision changes nothing.
"""

from __future__ import annotations

from typing import Any

import pytest

from gonghui.core.models import AuditEvent
from gonghui.core.tests.clients import client as new_client
from gonghui.crosscheck.models import Agency, CrossCheckReview, Decision
from gonghui.crosscheck.services import Subject, crosscheck_subjects
from gonghui.crosscheck.tests.test_matching import make_list
from gonghui.members.tests.factories import id_number
from gonghui.members.validation import identity_index

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(tree, make_user) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    make_list(tree.lps, Agency.CIVIL_AFFAIRS, 2026, [id_number(1), id_number(2)])
    make_list(tree.zhongshan, Agency.EDUCATION, 2026, [id_number(4)], program="生源地助学贷款")
    make_list(tree.nanming, Agency.WOMENS_FEDERATION, 2026, [id_number(3)], program="春蕾计划")
    subjects = [
        Subject("test.subject", 1, identity_index("1", id_number(1)), tree.courier_union),
        Subject("test.subject", 3, identity_index("1", id_number(3)), tree.nanming),
    ]
    reviews = {r.subject_id: r for r in crosscheck_subjects(actor=None, subjects=subjects, year=2026)}
    clients = {"anon": new_client()}
    for who, role, code in [
        ("reviewer", "reviewer", "520201"),
        ("officer", "officer", "520201"),
        ("viewer", "viewer", "520201"),
        ("foreign", "officer", "520102"),
    ]:
        c = new_client()
        c.force_login(make_user(f"xc_{who}", (role, code)))
        clients[who] = c
    return {"ours": reviews["1"], "theirs": reviews["3"], **clients}


def test_the_queue_lists_pending_matches_in_scope(world) -> None:  # type: ignore[no-untyped-def]
    page = world["reviewer"].get("/crosscheck/")
    assert page.status_code == 200
    body = page.content.decode()
    assert f"/crosscheck/reviews/{world['ours'].pk}/" in body
    assert f"/crosscheck/reviews/{world['theirs'].pk}/" not in body  # 南明's review is not ours
    assert "名单比对" in body  # the navigation entry
    assert world["anon"].get("/crosscheck/").status_code == 302


def test_a_review_shows_its_evidence_masked(world) -> None:  # type: ignore[no-untyped-def]
    page = world["viewer"].get(f"/crosscheck/reviews/{world['ours'].pk}/")
    body = page.content.decode()
    number = id_number(1)
    assert page.status_code == 200 and "民政" in body and "1,200.00" in body
    assert number not in body and f"{number[:6]}********{number[-4:]}" in body
    assert 'data-testid="decide-form"' not in body  # a viewer only reads


def test_a_reviewer_decides_with_a_reason(world) -> None:  # type: ignore[no-untyped-def]
    url = f"/crosscheck/reviews/{world['ours'].pk}/"
    assert 'data-testid="decide-form"' in world["reviewer"].get(url).content.decode()
    refused = world["reviewer"].post(url, {"decision": Decision.CLEARED, "reason": "  "})
    assert refused.status_code == 400 and "请填写复核理由" in refused.content.decode()
    world["ours"].refresh_from_db()
    assert world["ours"].status == Decision.PENDING
    done = world["reviewer"].post(url, {"decision": Decision.CLEARED, "reason": "低保户，属深度困难建档对象"})
    assert done.status_code == 302
    world["ours"].refresh_from_db()
    assert (world["ours"].status, world["ours"].reason) == (Decision.CLEARED, "低保户，属深度困难建档对象")
    assert AuditEvent.all_objects.filter(action="crosscheck.review.cleared").count() == 1
    again = world["reviewer"].get(url).content.decode()
    assert "已排除" in again and 'data-testid="decide-form"' not in again


@pytest.mark.parametrize(("who", "status"), [("officer", 403), ("viewer", 403), ("foreign", 404), ("anon", 302)])
def test_others_cannot_decide(world, who: str, status: int) -> None:  # type: ignore[no-untyped-def]
    url = f"/crosscheck/reviews/{world['ours'].pk}/"
    resp = world[who].post(url, {"decision": Decision.CONFIRMED, "reason": "试图确认"})
    assert resp.status_code == status
    assert CrossCheckReview.all_objects.get(pk=world["ours"].pk).status == Decision.PENDING


def test_a_foreign_review_is_404(world) -> None:  # type: ignore[no-untyped-def]
    assert world["reviewer"].get(f"/crosscheck/reviews/{world['theirs'].pk}/").status_code == 404
    assert world["foreign"].get(f"/crosscheck/reviews/{world['ours'].pk}/").status_code == 404
    assert world["foreign"].get(f"/crosscheck/reviews/{world['theirs'].pk}/").status_code == 200


def test_the_lists_page_shows_lists_in_scope(world) -> None:  # type: ignore[no-untyped-def]
    officer = world["officer"].get("/crosscheck/lists/").content.decode()
    # Lists uploaded in the caller's subtree: not the city's above it, not 南明's beside it.
    assert "生源地助学贷款" in officer and "城乡低保" not in officer and "春蕾计划" not in officer
    assert "/imports/new/?kind=agency_list" in officer
    viewer = world["viewer"].get("/crosscheck/lists/").content.decode()
    assert "生源地助学贷款" in viewer and "/imports/new/?kind=agency_list" not in viewer


def test_the_status_tabs_filter(world) -> None:  # type: ignore[no-untyped-def]
    decided = world["reviewer"].get("/crosscheck/?status=cleared").content.decode()
    assert f"/crosscheck/reviews/{world['ours'].pk}/" not in decided
    everything = world["reviewer"].get("/crosscheck/?status=all").content.decode()
    assert f"/crosscheck/reviews/{world['ours'].pk}/" in everything
