"""Cases and the people who move them, on the suite's tree (gonghui/conftest.py)."""

from __future__ import annotations

from typing import Any

from gonghui.accounts.models import User
from gonghui.accounts.scope import scope_for_user
from gonghui.orgs.models import Org
from gonghui.rights.models import HotlineCase
from gonghui.rights.services import case_intake

CALL: dict[str, Any] = {
    "source": "来电",
    "kind": "投诉",
    "cause": "欠薪",
    "person_type": "骑手",
    "caller_name": "张师傅",
    "caller_phone": "13912345678",
    "employer_name": "六盘水某配送站",
    "summary": "配送站拖欠两个月工资",
}


def take_call(user: User, org: Org, **overrides: Any) -> HotlineCase:
    return case_intake(actor=user, scope=scope_for_user(user), org=org, **{**CALL, **overrides})
