"""比对全部在办事项: after a new list comes in, everything still open under a union is matched again.

Open means 金秋助学 applications not yet approved, and hardship households whose
worker signed the authorization (an unsigned household is never matched).
"""

from __future__ import annotations

import pytest

from gonghui.aid.models import FileStatus, SubsistenceStandard
from gonghui.aid.services import FamilyIn, file_apply, file_authorize
from gonghui.core.models import AuditEvent
from gonghui.core.tests.clients import client as new_client
from gonghui.crosscheck.models import Agency, CrossCheckMatch, CrossCheckReview, Decision
from gonghui.crosscheck.services import crosscheck_run_open
from gonghui.crosscheck.tests.test_matching import make_list
from gonghui.members.tests.factories import id_number, register
from gonghui.student_aid.models import ApplicationStatus
from gonghui.student_aid.tests.factories import SON, World, apply, approve, build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(tree, make_user) -> World:  # type: ignore[no-untyped-def]
    return build_world(tree, make_user)


def household(world: World, n: int, *, authorized: bool):  # type: ignore[no-untyped-def]
    SubsistenceStandard.objects.get_or_create(region_code="520200", year=2026, defaults={"monthly_fen": 800_00})
    worker = register(world.tree.courier_union, id_number(n), name={740: "赵大勇", 760: "钱二勇"}[n])
    file = file_apply(
        **world.as_("officer"),
        membership=worker,
        level="city",
        region_code="520201",
        year=2026,
        figures={"household_size": 3, "worker_monthly_income_fen": 2000_00, "other_income_year_fen": 0},
        causes=["family_illness"],
        family=[FamilyIn("女", {740: "赵小丫", 760: "钱小丫"}[n], id_number(n + 1, birth="20100301"))],
    )
    if authorized:
        file_authorize(**world.as_("officer"), file=file, stored_name="auth.pdf")
    return file


def test_a_run_matches_everything_open_under_the_union(world: World) -> None:
    waiting = apply(world)  # the student SON, not yet approved
    done = apply(world, name="王小丫", id_number=id_number(720, birth="20050301"))
    approve(world, done)  # approved before the list came: not open any more
    signed = household(world, 740, authorized=True)
    unsigned = household(world, 760, authorized=False)
    assert signed.status == FileStatus.APPLIED and not CrossCheckReview.all_objects.exists()

    make_list(
        world.tree.zhongshan,
        Agency.CIVIL_AFFAIRS,
        2026,
        [SON, id_number(720, birth="20050301"), id_number(741, birth="20100301"), id_number(761, birth="20100301")],
    )
    summary = crosscheck_run_open(**world.as_("county_officer"), org=world.tree.zhongshan)
    # The waiting student, the signed household's worker and daughter: three subjects, one flagged each side.
    assert (summary.subjects, summary.flagged, summary.pending) == (1 + 2, 2, 2)
    reviews = {r.subject_type: r for r in CrossCheckReview.all_objects.all()}
    assert reviews["student_aid.application"].subject_id == str(waiting.pk)
    assert reviews["aid.file"].subject_id.startswith(f"{signed.pk}.")
    assert not CrossCheckReview.all_objects.filter(subject_id__startswith=str(unsigned.pk) + ".").exists()
    assert done.pk != waiting.pk and type(done).all_objects.get(pk=done.pk).status == ApplicationStatus.APPROVED

    again = crosscheck_run_open(**world.as_("county_officer"), org=world.tree.zhongshan)
    assert (again.flagged, CrossCheckMatch.objects.count()) == (2, 2)  # nothing is kept twice


def test_the_page_runs_it_for_an_importer_only(world: World) -> None:
    apply(world)
    make_list(world.tree.zhongshan, Agency.CIVIL_AFFAIRS, 2026, [SON])
    officer, viewer = new_client(), new_client()
    officer.force_login(world.users["county_officer"])
    viewer.force_login(world.users["county"])  # a reviewer decides but does not upload or run
    assert viewer.post("/crosscheck/lists/", {"org_code": "520201"}).status_code == 403
    assert not CrossCheckReview.all_objects.exists()
    foreign = officer.post("/crosscheck/lists/", {"org_code": "520102"})
    assert foreign.status_code == 400 and "没有找到该工会" in foreign.content.decode()
    assert not CrossCheckReview.all_objects.exists()
    done = officer.post("/crosscheck/lists/", {"org_code": "520201"}, follow=True)
    body = done.content.decode()
    assert "已比对钟山区总工会的 1 个在办对象：命中名单 1 个，其中待复核 1 个。" in body
    assert CrossCheckReview.all_objects.get().status == Decision.PENDING


def test_a_new_list_matches_what_is_open_when_it_comes_in(world: World, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from gonghui.crosscheck.tests.test_agency_lists import agency_file, run

    waiting = apply(world)
    path = agency_file(tmp_path / "共青团.csv", [[1, SON, "李小龙", "共青团", "希望工程", 2026, "3000.00"]])
    first = run("import", "agency_list", str(path), "--org", "520201")
    assert first["created"] == 1
    review = CrossCheckReview.all_objects.get()
    assert (review.subject_id, review.status) == (str(waiting.pk), Decision.PENDING)
    assert CrossCheckMatch.objects.filter(review=review).count() == 1
    # The same file again adds no record, so nothing is matched again.
    runs = AuditEvent.all_objects.filter(action="crosscheck.run").count()
    assert run("import", "agency_list", str(path), "--org", "520201")["created"] == 0
    assert AuditEvent.all_objects.filter(action="crosscheck.run").count() == runs
