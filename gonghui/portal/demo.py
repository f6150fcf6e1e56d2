"""The demo's member on the phone: 祁阳's worker whose son 金秋助学 has kept in school since 2019.

He signs in at /m/login/ with his mobile number and the demo password, and sees
his son's applications from 2019 to this year, each paid (the 金秋助学 demo step
made them); he may apply for next year from there.
"""

from __future__ import annotations

from gonghui.accounts.demo import DEMO_PASSWORD
from gonghui.core.demo import DemoAccount, DemoContext, demo_step
from gonghui.core.scoping import unscoped
from gonghui.members.models import Membership, MembershipStatus
from gonghui.portal.models import MemberAccount
from gonghui.portal.services import member_account_create
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
