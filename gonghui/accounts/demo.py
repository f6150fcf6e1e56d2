from __future__ import annotations

from gonghui.accounts.models import User
from gonghui.accounts.services import grant_role, user_create
from gonghui.core.demo import DemoAccount, DemoContext, demo_step

DEMO_PASSWORD = "Gonghui-demo-2026"  # noqa: S105 - printed at start; demo only

# (username, display name, role, org code, where)
DEMO_ACCOUNTS = [
    ("gz_admin", "贵州省总工会管理员", "admin", "520000", "省级：贵州省总工会"),
    ("gz_reviewer", "贵州省总工会帮扶中心审核员", "reviewer", "520000", "省级：贵州省总工会"),
    ("lps_officer", "六盘水市总工会经办人", "officer", "520200", "市级：六盘水市总工会"),
    ("sf_officer", "顺丰工会经办人", "officer", "520000SF", "基层：贵州顺丰速运有限公司工会"),
    ("dx_viewer", "定西市总工会查看人", "viewer", "621100", "市级：定西市总工会"),
    ("yl_officer", "夷陵区总工会经办人", "officer", "420506", "县级：宜昌市夷陵区总工会"),
]


@demo_step(order=20)
def load_accounts(ctx: DemoContext) -> None:
    admin = User.objects.filter(username="admin").first()
    if admin is None:
        admin = user_create(username="admin", password=DEMO_PASSWORD, display_name="平台管理员")
        admin.is_superuser = True
        admin.is_staff = True
        admin.save(update_fields=["is_superuser", "is_staff"])
    ctx.accounts.append(DemoAccount("admin", DEMO_PASSWORD, "超级管理员", "全平台"))
    for username, display, role, org_code, where in DEMO_ACCOUNTS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = user_create(username=username, password=DEMO_PASSWORD, display_name=display)
        grant_role(actor=None, actor_scope=None, user=user, role_name=role, org_code=org_code)
        ctx.accounts.append(DemoAccount(username, DEMO_PASSWORD, role, where))
