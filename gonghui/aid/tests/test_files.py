"""Hardship files: the category from the figures, one file per household, and the review path."""

from __future__ import annotations

from typing import Any

import pytest

from gonghui.accounts.models import Role
from gonghui.accounts.scope import scope_for_user
from gonghui.aid.models import Category, FamilyMember, FileStatus, HardshipFile, SubsistenceStandard
from gonghui.aid.permissions import AidPerm
from gonghui.aid.services import (
    FamilyIn,
    assess,
    file_apply,
    file_authorize,
    file_close,
    file_decide,
    subsistence_standard,
)
from gonghui.core.errors import DomainError
from gonghui.core.models import AuditEvent
from gonghui.members.tests.factories import id_number, register

pytestmark = pytest.mark.django_db

STANDARD = 70_000  # ¥700 a person a month


def test_the_category_follows_the_qingdao_rule() -> None:
    def category(monthly_yuan: int, size: int = 3, **kw: Any) -> str | None:
        return assess(
            standard_monthly_fen=STANDARD, household_size=size, worker_monthly_income_fen=monthly_yuan * 100, **kw
        ).category

    # ¥2,000 a month for three: ¥666.66 each, below ¥700.
    assert category(2000) == Category.DEEP
    assert category(2100) == Category.RELATIVE  # ¥700.00 each: not below the standard
    assert category(4199) == Category.RELATIVE  # ¥1,399.66 each: below twice it
    assert category(4200) is None  # ¥1,400.00: not below twice it
    # Necessary expenses come off the income first.
    assert category(4200, necessary_expense_year_fen=2_400_00) == Category.RELATIVE
    # An accident, or hardship costs above 80% of the year's income.
    assert category(6000, accident=True) == Category.ACCIDENT
    assert category(6000, hardship_cost_year_fen=57_601_00) == Category.ACCIDENT
    assert category(6000, hardship_cost_year_fen=57_600_00) is None
    with pytest.raises(DomainError):
        category(2000, size=0)


def test_the_standard_of_the_county_else_its_city_else_its_province() -> None:
    SubsistenceStandard.objects.create(region_code="520000", year=2026, monthly_fen=65_000)
    SubsistenceStandard.objects.create(region_code="520200", year=2026, monthly_fen=70_000)
    SubsistenceStandard.objects.create(region_code="520201", year=2026, monthly_fen=72_000)
    assert subsistence_standard("520201", 2026).monthly_fen == 72_000  # type: ignore[union-attr]
    assert subsistence_standard("520221", 2026).monthly_fen == 70_000  # type: ignore[union-attr]
    assert subsistence_standard("520102", 2026).monthly_fen == 65_000  # type: ignore[union-attr]
    assert subsistence_standard("520201", 2025) is None


@pytest.fixture
def world(tree, make_user) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    SubsistenceStandard.objects.create(region_code="520200", year=2026, monthly_fen=STANDARD)
    Role.objects.create(name="center", label="帮扶中心", permissions=[AidPerm.VIEW, AidPerm.FILE])
    users = {
        "officer": make_user("unit_officer", ("officer", "520201G001")),
        "unit": make_user("unit_reviewer", ("reviewer", "520201G001")),
        "higher": make_user("zs_reviewer", ("reviewer", "520201")),
        "center": make_user("lps_center", ("center", "520200")),
        "foreign": make_user("nm_officer", ("officer", "520102")),
    }
    worker = register(tree.courier_union, id_number(600), name="王师傅")
    return {"tree": tree, "worker": worker, "users": users, **{k: scope_for_user(u) for k, u in users.items()}}


def apply(world: dict[str, Any], **overrides: Any) -> HardshipFile:
    args: dict[str, Any] = {
        "actor": world["users"]["officer"],
        "scope": world["officer"],
        "membership": world["worker"],
        "level": "city",
        "region_code": "520201",
        "year": 2026,
        "figures": {"household_size": 3, "worker_monthly_income_fen": 2000_00, "other_income_year_fen": 0},
        "causes": ["family_illness", "schooling"],
        "family": [FamilyIn("子", "王小明", id_number(601, birth="20080301")), FamilyIn("妻", "李芳")],
    }
    return file_apply(**{**args, **overrides})


def test_a_file_goes_up_the_path_with_the_authorization(world) -> None:
    file = apply(world)
    assert (file.category, file.per_capita_monthly_fen, file.standard_monthly_fen) == (Category.DEEP, 66_666, STANDARD)
    family = list(FamilyMember.objects.filter(file=file).order_by("pk"))
    assert [(f.relation, f.name) for f in family] == [("子", "王小明"), ("妻", "李芳")]
    son = id_number(601, birth="20080301")
    assert family[0].id_masked == f"{son[:6]}********{son[-4:]}" and family[0].id_index

    def decide(who: str, decision: str = "approve", note: str = "") -> HardshipFile:
        return file_decide(actor=world["users"][who], scope=world[who], file=file, decision=decision, note=note)

    # The unit union reviews; the higher union cannot take the unit's step for the wrong union's grant.
    with pytest.raises(DomainError):
        decide("officer")  # an officer applies, never reviews
    assert decide("unit").status == FileStatus.UNIT_APPROVED
    with pytest.raises(DomainError) as refused:
        decide("unit")  # the unit's reviewer has no grant on the union above
    assert refused.value.code == "permission_denied"
    with pytest.raises(DomainError) as refused:
        decide("higher")  # no signed authorization yet
    assert refused.value.code == "aid.authorization_required"
    file_authorize(actor=world["users"]["officer"], scope=world["officer"], file=file, stored_name="auth-0001.pdf")
    assert decide("higher").status == FileStatus.HIGHER_APPROVED
    with pytest.raises(DomainError):
        decide("higher")  # filing is the 帮扶中心's
    filed = decide("center")
    assert filed.status == FileStatus.FILED and filed.filed_on is not None
    closed = file_close(
        actor=world["users"]["center"], scope=world["center"], file=file, reason="连续6个月人均收入高于低保"
    )
    assert closed.status == FileStatus.CLOSED
    actions = list(
        AuditEvent.all_objects.filter(action__startswith="aid.").order_by("pk").values_list("action", flat=True)
    )
    assert actions == [
        "aid.file.apply",
        "aid.file.approve",
        "aid.file.authorize",
        "aid.file.approve",
        "aid.file.approve",
        "aid.file.close",
    ]


def test_one_file_per_household(world, tree) -> None:
    apply(world)
    with pytest.raises(DomainError) as twice:
        apply(world)
    assert twice.value.code == "aid.household_on_file"
    # The son applies for his own household: he is already in his father's file.
    son = register(tree.courier_union, id_number(601, birth="20080301"), name="王小明")
    with pytest.raises(DomainError) as again:
        apply(world, membership=son, family=[])
    assert again.value.code == "aid.household_on_file" and "王师傅" in again.value.message
    # Another worker cannot list the father as family either.
    other = register(tree.courier_union, id_number(602), name="赵师傅")
    with pytest.raises(DomainError):
        apply(world, membership=other, family=[FamilyIn("父", "王师傅", id_number(600))])
    assert HardshipFile.all_objects.count() == 1


def test_refusals_explain_and_change_nothing(world) -> None:
    with pytest.raises(DomainError) as rich:
        apply(world, figures={"household_size": 2, "worker_monthly_income_fen": 3000_00})
    assert rich.value.code == "aid.not_eligible" and "1500.00" in rich.value.message and "1400.00" in rich.value.message
    with pytest.raises(DomainError) as nostd:
        apply(world, year=2024)
    assert nostd.value.code == "aid.no_standard"
    with pytest.raises(DomainError) as bad:
        apply(world, causes=[], level="village", family=[FamilyIn("子", "王小明", "520201200803011235")])
    assert set(bad.value.details) == {"causes", "level", "family.0.id_number"}
    with pytest.raises(DomainError):
        apply(world, actor=world["users"]["foreign"], scope=world["foreign"])
    file = apply(world)
    with pytest.raises(DomainError) as nonote:
        file_decide(actor=world["users"]["unit"], scope=world["unit"], file=file, decision="reject")
    assert "note" in nonote.value.details
    returned = file_decide(
        actor=world["users"]["unit"], scope=world["unit"], file=file, decision="return", note="缺少医疗费用票据"
    )
    assert returned.status == FileStatus.RETURNED
    assert HardshipFile.all_objects.count() == 1
    assert AuditEvent.all_objects.filter(action__startswith="aid.").count() == 2


def test_aid_is_paid_to_the_workers_activated_service_card(world, tree) -> None:  # type: ignore[no-untyped-def]
    from gonghui.cards.models import BankPartner, CardStatus, ServiceCard
    from gonghui.core.tests.clients import client as new_client
    from gonghui.student_aid.tests.factories import give_card

    without = apply(world)
    assert without.card_id is None
    rejected = file_decide(
        actor=world["users"]["unit"], scope=world["unit"], file=without, decision="reject", note="重新申请"
    )
    assert rejected.status == FileStatus.REJECTED
    bank = BankPartner.objects.create(code="GZB", name="贵州银行", bin_prefixes="621795")
    give_card(world["worker"], bank, 61)
    card = ServiceCard.all_objects.get(person=world["worker"].person, status=CardStatus.ACTIVATED)
    file = apply(world)
    assert file.card_id == card.pk
    page = new_client()
    page.force_login(world["users"]["unit"])
    body = page.get(f"/aid/files/{file.pk}/").content.decode()
    assert "贵州银行 会员服务卡" in body and card.card_masked in body
    assert page.get(f"/api/v1/aid/files/{file.pk}").json()["card_masked"] == card.card_masked


def test_a_file_is_not_closed_before_it_was_filed_nor_after_today(world) -> None:
    from datetime import timedelta

    from django.utils import timezone

    file = apply(world)
    for who in ("unit",):
        file_decide(actor=world["users"][who], scope=world[who], file=file, decision="approve", note="")
    file_authorize(actor=world["users"]["officer"], scope=world["officer"], file=file, stored_name="auth-0002.pdf")
    for who in ("higher", "center"):
        file = file_decide(actor=world["users"][who], scope=world[who], file=file, decision="approve", note="")
    assert file.filed_on == timezone.localdate()
    for on, message in [
        (file.filed_on - timedelta(days=1), f"撤档日期不能早于建档日期（{file.filed_on.isoformat()}），请核对日期"),
        (file.filed_on + timedelta(days=1), "撤档日期不能晚于今天"),
    ]:
        with pytest.raises(DomainError) as refused:
            file_close(actor=world["users"]["center"], scope=world["center"], file=file, reason="收入提高", on=on)
        assert refused.value.message == message
        assert HardshipFile.all_objects.get(pk=file.pk).status == FileStatus.FILED
