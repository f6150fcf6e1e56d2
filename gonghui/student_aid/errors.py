from django.utils.translation import gettext_lazy as _

from gonghui.core.errors import register_messages

register_messages(
    {
        "student_aid.excluded": _(
            "{kind}学生不在金秋助学资助范围内（军事院校、公费师范生和定向生已享受国家或单位资助）。"
        ),
        "student_aid.already_applied": _(
            "该学生 {year} 学年已有金秋助学申请（{org}，{state}），同一学年只能资助一次。"
        ),
        # The member's own duplicate, from the phone: nothing about anyone else's (that is member.handled_elsewhere).
        "student_aid.already_applied_own": _(
            "您已为该学生申请了 {year} 学年的金秋助学，同一学年只能申请一次，请在“我的申请”中查看进度。"
        ),
        # From the phone a member applies only for their own child (member_side: the rule and why).
        "student_aid.child_unverifiable": _(
            "您登记的证件号码不含出生日期，无法在手机上核验子女关系，请持户口簿等证明到所在工会办理。"
        ),
        "student_aid.no_standard": _("{region}尚未设置 {year} 学年{level}的金秋助学资助标准，请先设置资助标准。"),
        "student_aid.promise_required": _("请先由职工签署未获得其他同类资助的承诺书。"),
        "student_aid.out_of_course": _(
            "{year} 学年不在该学生的在读期间（{enrolment} 年入学、预计 {graduation} 年毕业）。"
        ),
        "student_aid.graduated": _(
            "该学生预计 {graduation} 年毕业，{year} 学年不再续助；升学的请按新学段重新申请并关联上一学年的申请。"
        ),
        "student_aid.wrong_status": _("申请当前状态为“{state}”，不能{action}。"),
        "student_aid.not_member": _("申请人不是在册会员，不能申请金秋助学。"),
        "student_aid.not_own": _("只能查看和办理本人的金秋助学申请。"),
        "student_aid.continuation_mismatch": _("关联的上一学年申请不是同一名学生，或学年不早于本次申请。"),
        "student_aid.same_person": _("审批人不能是基层审核人本人。"),
        "student_aid.nothing_to_publish": _("没有待公示的已审批申请。"),
        "student_aid.not_ready_to_pay": _("公示“{title}”尚未结束，公示结束且无异议的申请才能发放。"),
        "student_aid.crosscheck_pending": _("该学生在其他部门的资助名单中有记录，请先在名单比对中复核后再审批。"),
        "student_aid.crosscheck_duplicate": _("经名单比对复核，该学生已获其他资助（{reason}），不能重复资助。"),
        # Refusals about one field (their details name it).
        "student_aid.amount_invalid": _("应为不小于 0 的金额（元），最多两位小数"),
        "student_aid.reject_note_required": _("不予通过时请填写审核意见"),
        "student_aid.return_note_required": _("退回时请写明需补正的内容"),
        "student_aid.member_key_invalid": _("请填写会员编号或 18 位证件号码"),
        "student_aid.member_not_found": _("您管理的工会中没有这名在册会员"),
        "student_aid.child_relation": _("手机上只能为本人的子女（儿子或女儿）申请"),
        "student_aid.child_is_self": _("这是您本人的证件号码，请填写子女的身份证号码"),
        "student_aid.child_gender": _("与您的关系和该身份证号码中的性别不符，请核对"),
        "student_aid.child_age": _(
            "按该身份证号码，学生不是您的子女年龄（须比您小 16 岁以上，且申请学年开始时未满 30 岁）；"
            "情况特殊的请持户口簿等证明到所在工会办理"
        ),
        "student_aid.child_not_in_household": _(
            "该学生不在您的困难职工档案登记的家庭成员中；请到所在工会核实家庭成员后办理"
        ),
        "student_aid.selection_outside_publication": _("所选申请中有不属于该工会或该学年的，请重新筛选"),
        # Checks of several fields at once: each field's reason in the details, joined as the message.
        "student_aid.standard_invalid": _("{reasons}"),
        "student_aid.application_fields_invalid": _("{reasons}"),
    }
)
