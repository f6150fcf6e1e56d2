"""The demo's members on the phone: 祁阳's worker whose son 金秋助学 has kept in school since 2019,
and a rider of 夷陵's 夷新驿站.

The worker signs in at /m/login/ with his mobile number and the demo password, and sees
his son's applications from 2019 to this year, each paid (the 金秋助学 demo step
made them); he may apply for next year from there. The rider signs in the same way: a
volunteer of 夷新驿站's 第一组, with duties on the rota and a swap waiting for their answer
(the stations demo step made them).
"""

from __future__ import annotations

from gonghui.accounts.demo import DEMO_PASSWORD
from gonghui.core.demo import DemoAccount, DemoContext, demo_step
from gonghui.core.scoping import unscoped
from gonghui.members.models import Membership, MembershipStatus
from gonghui.portal.models import MemberAccount
from gonghui.portal.services import member_account_create
from gonghui.stations.demo import demo_rider
from gonghui.student_aid.demo import SPECIAL_FATHER, SPECIAL_UNION


@demo_step(order=57)
def load_member_account(ctx: DemoContext) -> None:
    with unscoped():
        membership = (
            Membership.objects.select_related("person", "org")
            .filter(org__code=SPECIAL_UNION, person__name=SPECIAL_FATHER, status=MembershipStatus.ACTIVE)
            .first()
        )
    if membership is None:
        ctx.log("没有找到祁阳的示例会员，跳过手机端账户。")
        return
    person = membership.person
    account = MemberAccount.objects.filter(person=person).select_related("user").first()
    if account is None:
        account = member_account_create(actor=None, person=person, username=person.mobile, password=DEMO_PASSWORD)
    ctx.accounts.append(
        DemoAccount(account.user.username, DEMO_PASSWORD, "会员（手机端 /m/）", f"{membership.org.name}：{person.name}")
    )


@demo_step(order=58)
def load_rider_account(ctx: DemoContext) -> None:
    """夷陵's rider of 夷新驿站 whose answer the demo's swap waits for, on the phone."""
    found = demo_rider()
    if found is None:
        ctx.log("没有找到夷新驿站的示例骑手，跳过骑手的手机端账户。")
        return
    person, group = found
    account = MemberAccount.objects.filter(person=person).select_related("user").first()
    if account is None:
        account = member_account_create(actor=None, person=person, username=person.mobile, password=DEMO_PASSWORD)
    with unscoped():
        union = Membership.objects.select_related("org").get(person=person, status=MembershipStatus.ACTIVE).org
    ctx.accounts.append(
        DemoAccount(
            account.user.username,
            DEMO_PASSWORD,
            "骑手（手机端 /m/）",
            f"{union.name}：{person.name}（{group.station.name}{group.name}）",
        )
    )
