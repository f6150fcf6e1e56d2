"""The member portal's refusals, in Chinese, added to the shared catalogue."""

from django.utils.translation import gettext_lazy as _

from gonghui.core.errors import register_messages

register_messages(
    {
        # One message for every mismatch: it must not tell which of name, ID number or mobile was wrong.
        "portal.activation_refused": _(
            "信息核验未通过：请确认姓名、身份证号码和手机号码与工会登记的一致，且会籍状态正常；"
            "如已激活过会员账户，请直接用手机号码和密码登录。如有疑问请联系所在工会。"
        ),
        "portal.already_activated": _("您已激活会员账户，请直接用手机号码和密码登录。"),
        "portal.username_taken": _("该手机号码（用户名）已被其他账户使用，请联系所在工会处理。"),
        # What Django's password validators said, joined.
        "portal.password_rejected": _("{why}"),
        # A malformed name, ID number or mobile: each field's reason in the details, joined as the message.
        "portal.activation_fields_invalid": _("{reasons}"),
        "portal.username_required": _("请填写用户名"),
    }
)
