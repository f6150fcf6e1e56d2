"""The audit log's words for 金秋助学 (see `core.ui.register_audit_labels`)."""

from gonghui.core.ui import register_audit_labels

register_audit_labels(
    {
        "student_aid.apply": "提交助学申请",
        "student_aid.review": "初审助学申请",
        "student_aid.approve": "审批助学申请",
        "student_aid.reject": "驳回助学申请",
        "student_aid.return": "退回助学申请",
        "student_aid.withdraw": "撤回助学申请",
        "student_aid.publish": "公示助学名单",
        "student_aid.objection": "登记公示异议",
        "student_aid.objection_upheld": "异议成立",
        "student_aid.objection_dismissed": "异议不成立",
        "student_aid.publication_close": "结束公示",
        "student_aid.disburse": "助学金生成发放批次",
        "student_aid.paid": "助学金发放完成",
        "student_aid.standard_set": "设定助学标准",
        "student_aid.export": "导出助学申请",
        "student_aid.export.unmasked": "明文导出助学申请",
        "student_aid.demo.unions": "载入演示助学工会",
    },
    {
        "school_year": "学年",
        "level": "学段",
        "on_file": "在档困难职工",
        "continued_from": "续助自申请",
        "batch": "发放批次",
        "application": "申请",
        "starts_on": "公示开始",
        "ends_on": "公示结束",
        "ready": "可发放",
    },
)
