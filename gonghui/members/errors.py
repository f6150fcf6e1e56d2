"""The registry's refusals, in Chinese, added to the shared catalogue."""

from django.utils.translation import gettext_lazy as _

from gonghui.core.errors import register_messages

register_messages(
    {
        "member.live_membership": _("该证件号码已有有效会籍；如需变更所属工会，请办理会籍接转。"),
        "member.org_closed": _("工会“{org}”已撤销，不能办理入会或转入。"),
        "member.wrong_status": _("当前会籍状态为“{state}”，不能{action}。"),
        "member.reason_required": _("请填写{what}。"),
        "member.transfer_same_org": _("转入工会与当前所属工会相同。"),
        "member.transfer_no_membership": _("未找到该证件号码的有效会籍；尚未入会的人员请直接登记入会。"),
        "member.transfer_pending": _("该会员已有办理中的会籍接转。"),
        "member.transfer_not_pending": _("该接转已办结，不能再审批或撤回。"),
        "member.transfer_nothing_to_decide": _("该接转没有等待您审批的一方。"),
        "member.transfer_target_unknown": _("未找到工会代码“{code}”。"),
        "member.no_parent": _("工会“{org}”没有上级工会，无法把会籍转至上级工会保留。"),
        "member.org_has_members": _(
            "工会“{org}”还有 {count} 条有效会籍（含待审核申请和接转中），请先办理接转或转至上级工会保留会籍后再撤销。"
        ),
        "member.reinstate_conflict": _("该人员已在其他工会有有效会籍，不能恢复此会籍。"),
        # A refusal caused by a record outside the caller's scope (another union's membership, transfer,
        # hardship file or 金秋助学 application): it never names the person, the union or a status.
        # Shared by members, aid, 金秋助学 and the member's phone.
        "member.handled_elsewhere": _("该人员已在其他工会办理相关事项，请联系上级工会核实。"),
        # What the code tables or the ID number check said about the one field.
        "member.reason_invalid": _("{why}"),
        "member.id_number_invalid": _("{why}"),
        # The person's fields checked at once: each field's reason in the details, joined as the message.
        "member.fields_invalid": _("{reasons}"),
        "member.mobile_required": _("请填写手机号码，以便工会联系您"),
        # A page's union field (register, transfer in): unknown and out of scope answer alike.
        "member.org_unknown": _("未找到该工会，或您无权访问。"),
    }
)
