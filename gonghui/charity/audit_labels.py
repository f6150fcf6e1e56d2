"""The audit log's words for 慈善基金 (see `core.ui.register_audit_labels`)."""

from gonghui.core.ui import register_audit_labels

register_audit_labels(
    {
        "charity.fund.create": "设立慈善基金",
        "charity.donation.record": "登记捐赠",
        "charity.donation.agreement": "上传捐赠协议",
        "charity.donation.refund": "退还捐赠",
        "charity.donation.import": "导入工资代扣捐款",
        "charity.donation.export": "导出捐赠",
        "charity.project.create": "设立公益项目",
        "charity.disbursement.record": "登记公益支出",
        "charity.disbursement.return": "公益支出退回基金",
        "charity.activity.record": "登记公益活动",
        "charity.receipt.issue": "开具捐赠收据",
    },
    {
        "opening_fen": "期初余额",
        "donor_kind": "捐赠人类型",
        "anonymous": "匿名",
        "agreement": "捐赠协议",
        "budget_fen": "预算",
        "recipient_kind": "受助方类型",
        "fund": "基金",
        "project": "项目",
        "purpose": "用途",
        "participants": "参与人数",
        "serial": "收据编号",
        "via": "支付方式",
    },
)
