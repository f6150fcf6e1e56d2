"""A hardship file refused because of a file outside the caller's scope names no one (issue 15, item 1).

王师傅 (520201G001 钟山区快递员联合工会) has a file listing his son 王小明.
南明区总工会's officer (520102) files for 陈师傅, a member of theirs, and lists
王小明's ID number (or 王师傅's) as family: refused with the neutral message,
nothing of 王师傅, his union or his file's status. The unit's own officer,
who sees 王师傅's file, still hears whose file it is.
"""

from __future__ import annotations

from typing import Any

import pytest

from gonghui.aid.models import HardshipFile, SubsistenceStandard
from gonghui.aid.services import FamilyIn
from gonghui.aid.tests.test_api import body
from gonghui.aid.tests.test_files import apply, world  # noqa: F401  (the fixture)
from gonghui.core.errors import MESSAGES, DomainError
from gonghui.members.tests.factories import Api, assert_error, id_number, register

pytestmark = pytest.mark.django_db

SON = id_number(601, birth="20080301")  # listed in 王师傅's file
NEUTRAL = str(MESSAGES["member.handled_elsewhere"])
LEAKS = ("王师傅", "王小明", "钟山区快递员联合工会", "钟山区", "六盘水", "待本单位工会审核", "已建档", "档案（")


@pytest.fixture
def nanming_worker(world):  # type: ignore[no-untyped-def]  # noqa: F811
    SubsistenceStandard.objects.create(region_code="520000", year=2026, monthly_fen=65_000)
    return register(world["tree"].nanming, id_number(610), name="陈师傅")


def nanming_body(worker: Any, family: list[dict[str, str]]) -> dict[str, Any]:
    return body({"worker": worker}, region_code="520102", family=family)


def assert_neutral(message: str) -> None:
    assert message == NEUTRAL
    for leak in LEAKS:
        assert leak not in message, leak


@pytest.mark.parametrize(
    "listed",
    [pytest.param(SON, id="a family member of the file"), pytest.param(id_number(600), id="the file's worker")],
)
def test_outside_scope_the_refusal_names_no_one(world, nanming_worker, bearer, listed: str) -> None:  # noqa: F811
    apply(world)  # 王师傅's file, at 钟山区快递员联合工会
    before = HardshipFile.all_objects.count()
    api = Api(bearer(world["users"]["foreign"]))
    refused = api.post(
        "/api/v1/aid/files", nanming_body(nanming_worker, [{"relation": "子", "name": "某", "id_number": listed}])
    )
    out = assert_error(refused, 409, "member.handled_elsewhere", NEUTRAL)
    assert out["details"] is None
    assert_neutral(out["message"])
    assert HardshipFile.all_objects.count() == before


def test_outside_scope_the_service_refusal_is_neutral_too(world, nanming_worker) -> None:  # noqa: F811
    file = apply(world)
    # Whatever the file's status: filed or still under review, the answer is the same.
    for status in ("applied", "filed"):
        HardshipFile.all_objects.filter(pk=file.pk).update(status=status)
        with pytest.raises(DomainError) as refused:
            apply(
                world,
                actor=world["users"]["foreign"],
                scope=world["foreign"],
                membership=nanming_worker,
                region_code="520102",
                family=[FamilyIn("子", "某", SON)],
            )
        assert (refused.value.code, refused.value.status) == ("member.handled_elsewhere", 409)
        assert_neutral(refused.value.message)


def test_inside_scope_the_details_stay(world, tree, bearer) -> None:  # noqa: F811
    apply(world)
    son = register(tree.courier_union, SON, name="王小明")
    with pytest.raises(DomainError) as refused:
        apply(world, membership=son, family=[])
    assert refused.value.code == "aid.household_on_file"
    assert "王师傅" in refused.value.message and "钟山区快递员联合工会" in refused.value.message
    api = Api(bearer(world["users"]["officer"]))
    again = api.post("/api/v1/aid/files", body(world))
    assert "王师傅" in assert_error(again, 409, "aid.household_on_file")["message"]
