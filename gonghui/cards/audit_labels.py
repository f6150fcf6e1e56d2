"""The audit log's words for 服务卡 (see `core.ui.register_audit_labels`)."""

from gonghui.core.ui import register_audit_labels

register_audit_labels(
    {
        # cards.services: one per CardEventType
        "cards.apply": "申请服务卡",
        "cards.issue": "服务卡制卡",
        "cards.activate": "激活服务卡",
        "cards.freeze": "冻结服务卡",
        "cards.unfreeze": "解冻服务卡",
        "cards.report_lost": "服务卡挂失",
        "cards.cancel": "注销服务卡",
        "cards.replace": "服务卡换卡",
        "cards.import_issuance": "导入制卡结果",
        "cards.import_card_spending": "导入刷卡消费",
        "cards.import_credit_referrals": "导入信用卡推荐",
        "cards.credit_referrals_load": "载入信用卡推荐",
        "cards.export": "导出服务卡",
        "cards.export.unmasked": "明文导出服务卡",
        "cards.export_card_spending": "导出刷卡消费",
        "cards.export_credit_referrals": "导出信用卡推荐",
        "cards.export_credit_referrals.unmasked": "明文导出信用卡推荐",
    },
    {"card": "卡号"},
)
