"""Domain errors: one exception type, one message catalogue.

Services raise `DomainError(code, **params)`; the API and the views turn it into
`{"code", "message", "details"}` or a form error. Messages are Chinese because
they are shown to union officers as they are.

Every refusal has its own code in the catalogue. A refusal about one form field
names it (`field="note"`): its details are then `{"note": message}`, which the
pages show on that field. A check of several fields at once gives their reasons
as details and joins them as the message (a `"{reasons}"` template).
`"invalid"` is the API's answer to a request its schema rejects; no service
raises it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext_lazy as _

MESSAGES: dict[str, Any] = {
    "not_found": _("未找到该记录，或您无权访问。"),
    "permission_denied": _("您没有执行此操作的权限。"),
    "unauthenticated": _("请先登录，或提供有效的访问令牌。"),
    "invalid": _("提交的数据有误，请检查后重试。"),
    "locked_out": _("登录失败次数过多，账户已暂时锁定，请稍后再试。"),
    "bad_credentials": _("用户名或密码不正确。"),
    "csrf_failed": _("安全校验（CSRF）未通过，请刷新页面后重试。"),
    "org.code_taken": _("工会代码“{code}”已被使用。"),
    "org.code_invalid": _("工会代码“{code}”格式不正确：应为 4–32 位数字、大写字母或连字符。"),
    "org.parent_required": _(
        "请填写上级工会。新建顶级工会（没有上级工会）只能由平台管理员办理，"
        "或在服务器控制台用 gonghui import orgs 导入组织名录。"
    ),
    "org.parent_closed": _("上级工会“{parent}”已撤销，不能在其下新建或迁入工会。"),
    "org.parent_not_found": _("未找到上级工会“{code}”。"),
    "org.move_into_own_subtree": _("不能把工会“{org}”迁移到它自己或它的下级工会之下。"),
    "org.move_same_parent": _("工会“{org}”已经在“{parent}”之下。"),
    "org.root_move": _("根节点工会不能迁移。"),
    "org.already_closed": _("工会“{org}”已经撤销。"),
    "org.has_open_children": _("工会“{org}”还有 {count} 个未撤销的下级工会，请先迁移或撤销它们。"),
    "org.industry_federation_kind": _("“{org}”不是产业工会或行业性工会联合会，不能作为归口的产业（行业）工会。"),
    "org.region_unknown": _("行政区划代码“{code}”不在 GB/T 2260 代码表中。"),
    "org.region_invalid": _("行政区划代码“{code}”应为 6 位数字。"),
    "org.uscc_invalid": _("统一社会信用代码“{value}”无效：{reason}"),
    "org.kind_invalid": _("组织类型“{kind}”不存在。"),
    "org.kind_ambiguous": _("组织类型“{kind}”不明确，可能是：{candidates}。"),
    "org.form_invalid": _("组织形式“{form}”不存在。"),
    "org.form_ambiguous": _("组织形式“{form}”不明确，可能是：{candidates}。"),
    "org.founded_in_future": _("成立日期不能晚于今天。"),
    "org.employee_count_negative": _("职工人数不能为负数。"),
    "org.too_long": _("不能超过 {limit} 个字符"),
    "org.name_required": _("工会名称不能为空"),
    "org.field_not_editable": _("不能修改该字段"),
    # Several fields cleared at once (a blank name, a null where the column takes ""): each says why.
    "org.fields_required": _("{reasons}"),
    # A page's union field: a code that does not exist and one outside the caller's scope answer alike.
    "org.not_in_scope": _("没有这个工会，或不在您的管理范围内"),
    "grant.role_unknown": _("角色“{role}”不存在，可用角色：{roles}。"),
    "grant.org_unknown": _("工会代码“{code}”不存在。"),
    "grant.outside_scope": _("您只能在自己管理的工会范围内授权。"),
    "token.not_found": _("未找到该访问令牌。"),
    "synonym.table_unknown": _("没有这个对照表。"),
    "synonym.invalid": _("词语对照有误：{reasons}"),
    "synonym.exists": _("常用写法“{word}”已在该表中，请先删除原来的对照。"),
    "bulk.not_rerunnable": _("该任务正在运行或已完成，或其文件已删除，不能重新运行。"),
    "bulk.file_missing": _("任务的文件已不存在（可能已被清理），请重新上传。"),
    "bulk.file_sealed": _("任务的文件无法用当前密钥解密（密钥已更换？），请重新上传。"),
    "bulk.actor_gone": _("发起该任务的账户已停用或删除，任务不能运行。"),
    "bulk.org_closed": _("工会“{org}”已撤销，不能再导入或导出。"),
}


def register_messages(messages: dict[str, Any]) -> None:
    """Let a domain app add its refusals to the catalogue (from its errors module)."""
    clash = set(messages) & set(MESSAGES)
    if clash:
        raise ValueError(f"error codes declared twice: {sorted(clash)}")
    MESSAGES.update(messages)


def joined(reasons: dict[str, Any]) -> str:
    """Per-field reasons as one sentence, as the pages' flash messages show them."""
    return "；".join(str(reason) for reason in reasons.values())


class DomainError(Exception):
    """A refusal by a service, with a stable code and a Chinese message."""

    status = 400

    def __init__(
        self,
        error_code: str,
        /,
        *,
        status: int | None = None,
        details: Any = None,
        field: str | Iterable[str] | None = None,
        **params: Any,
    ) -> None:
        self.code = error_code
        self.params = params
        self.details = details
        if status is not None:
            self.status = status
        if field is not None:
            # The refusal is about these form fields: each shows the message.
            names = [field] if isinstance(field, str) else list(field)
            self.details = {name: self.message for name in names}
        super().__init__(self.message)

    @property
    def message(self) -> str:
        template = MESSAGES.get(self.code, self.code)
        return str(template).format(**self.params)


class PermissionDeniedError(DomainError):
    status = 403

    def __init__(self, perm: str = "") -> None:
        super().__init__("permission_denied", details={"permission": perm} if perm else None)


class NotFoundError(DomainError):
    status = 404

    def __init__(self) -> None:
        super().__init__("not_found")
