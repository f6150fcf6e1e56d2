from django.utils.translation import gettext_lazy as _

from gonghui.core.errors import register_messages

register_messages(
    {
        "crosscheck.already_decided": _("该比对已复核为“{state}”，不能再次复核。"),
        "crosscheck.reason_required": _("请填写复核理由。"),
        "crosscheck.bad_decision": _("复核结果只能是“已排除”或“确认重复受助”。"),
    }
)
