"""The audit log's words for 困难职工帮扶 (see `core.ui.register_audit_labels`)."""

from gonghui.core.ui import register_audit_labels

register_audit_labels(
    {
        "aid.file.apply": "建立困难职工档案",
        "aid.file.authorize": "上传核对授权书",
        "aid.file.approve": "审核通过困难档案",
        "aid.file.return": "退回困难档案",
        "aid.file.reject": "驳回困难档案",
        "aid.file.close": "困难档案销档",
        "aid.file.income": "登记月收入",
        "aid.file.export": "导出困难档案",
        "aid.relief.record": "登记慰问",
        "aid.relief.export": "导出慰问记录",
        "aid.standard.set": "设定困难标准",
        "aid.welfare_rule.set": "设定慰问上限",
        "aid.review.open": "开启年度复核",
        "aid.review.record": "登记年度复核",
    },
    {
        "per_capita_fen": "家庭人均月收入",
        "standard_fen": "困难标准",
        "family": "家庭人数",
        "scan": "授权书扫描件",
        "step": "审核环节",
        "on": "日期",
        "event": "慰问事由",
        "cash_fen": "慰问金",
        "goods_fen": "物资折价",
        "policies": "保险单数",
        "monthly_fen": "月标准",
        "previous_fen": "原标准",
        "cap_fen": "上限",
        "files": "档案数",
        "spot_checks": "抽查数",
        "still_eligible": "仍符合条件",
        "spot_check": "抽查",
        "month": "月份",
    },
)
