"""Refusals and audit words of training on the phone (self-enrolment, QR check-in) and its certificates.

Kept apart from `errors.py` and `audit_labels.py`, which hold the contests' words: both register into
the shared catalogues, so where a word is written does not matter to whoever reads it.
"""

from django.utils.translation import gettext_lazy as _

from gonghui.core.errors import register_messages
from gonghui.core.ui import register_audit_labels

register_messages(
    {
        "skills.checkin_code_invalid": _("签到二维码无效，请重新扫描老师出示的二维码。"),
        "skills.checkin_not_enrolled": _("您没有报名“{name}”，不能签到。"),
        "skills.checkin_outside_window": _("这次课在{day}，只能在上课当天签到。"),
        "skills.already_checked_in": _("您这次课已经签到过了（{time}）。"),
        "skills.certificate_not_completed": _("{names}尚未结业，不能颁发结业证书。"),
    }
)

register_audit_labels(
    {
        "skills.attendance.checkin": "培训扫码签到",
        "skills.demo.load": "载入技能培训演示数据",
        "skills_training.certificates_issue": "颁发培训结业证书",
        "skills.studio.member_add": "创新工作室添加成员",
        "skills.studio.result_add": "创新工作室登记成果",
        "skills.studio.session_add": "创新工作室登记交流培训",
        "skills.studio.review": "创新工作室年度考核",
    },
    {"channel": "报名渠道"},
)
