"""The audit log's words for 12351 hotline cases (see `core.ui.register_audit_labels`)."""

from gonghui.core.ui import register_audit_labels

register_audit_labels(
    {
        "rights.case.intake": "受理 12351 诉求",
        "rights.case.answered": "12351 咨询当场答复结案",
        "rights.case.hand_down": "12351 工单转办下级",
        "rights.case.send_up": "12351 工单退回上级",
        "rights.case.take": "签收 12351 工单",
        "rights.case.contact": "登记 12351 联系情况",
        "rights.case.reply": "12351 工单办结答复",
        "rights.case.follow_up": "12351 工单回访",
        "rights.case.reopen": "12351 回访不满意重办",
        "rights.case.check": "12351 工单质检",
        "rights.case.close": "12351 工单结案",
        "rights.case.remind": "督办 12351 工单",
        "rights.contract.register": "登记集体合同",
        "rights.contract.file": "集体合同报送备案",
        "rights.contract.review": "登记集体合同审查结果",
        "rights.request.record": "登记集体协商要约",
        "rights.request.reply": "登记要约书面答复",
        "rights.lawyer.add": "登记工会律师",
        "rights.lawyer.change": "修改工会律师",
        "rights.aid.open": "12351 工单转为法律援助",
        "rights.aid.hearing": "登记法律援助庭审或调解",
        "rights.aid.close": "法律援助结案",
        "rights.visit.record": "登记律师进企业法律体检",
        "rights.visit.follow_up": "跟进法律体检问题整改",
        "rights.request.link": "要约关联签订的集体合同",
        "rights.contract.import": "导入集体合同台账",
        "rights.contract.export": "导出集体合同台账",
    },
    {"number": "编号", "to": "至"},  # shared with skills (参赛编号): one label per key,
)
