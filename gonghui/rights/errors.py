from django.utils.translation import gettext_lazy as _

from gonghui.core.errors import register_messages

register_messages(
    {
        "rights.wrong_status": _("工单当前状态为“{state}”，不能{action}。"),
        "rights.note_required": _("请填写{what}"),
        "rights.not_below": _("只能转办给“{org}”的直属下级工会"),
        "rights.org_closed": _("工会“{org}”已撤销，不能承办工单"),
        "rights.top_of_case": _("本工会是受理工会，工单不能再向上退回"),
        "rights.not_above": _("只有承办工会的上级工会可以督办"),
        "rights.answer_only_consult": _("只有咨询类诉求可以当场答复结案"),
        "rights.phone_invalid": _("联系电话应为 7–20 位数字（可带区号和“-”）"),
        "rights.contract_renewed": _("该合同已经续订过，请在续订后的合同上再续订"),
        "rights.contract_filed": _("该合同已于 {day} 报送备案"),
        "rights.contract_filed_early": _("报送备案日期不能早于签订日期"),
        "rights.contract_not_in_review": _("合同尚未备案或已有审查结果"),
        "rights.contract_invalid": _("{reasons}"),
        "rights.request_replied": _("该要约已于 {day} 书面答复"),
        "rights.request_linked": _("该要约已关联了签订的合同"),
        "rights.request_reply_early": _("答复日期不能早于要约日期"),
        "rights.legal_invalid": _("{reasons}"),
        "rights.aid_exists": _("该工单已转为法律援助事项"),
        "rights.aid_case_closed": _("工单已结案，不能再转为法律援助"),
        "rights.aid_closed": _("该法律援助事项已于 {day} 结案"),
        "rights.lawyer_not_on_roster": _("律师“{name}”不在本工会或上级工会的律师库中（或已不在册）"),
        "rights.issue_fixed": _("该问题已整改完毕"),
        # Checks of several fields at once: each field's reason in the details, joined as the message.
        "rights.intake_invalid": _("{reasons}"),
    }
)
