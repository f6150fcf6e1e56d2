"""The audit log's words for 资金发放 (see `core.ui.register_audit_labels`)."""

from gonghui.core.ui import register_audit_labels

register_audit_labels(
    {
        "payouts.create": "新建发放批次",
        "payouts.items_add": "添加发放明细",
        "payouts.submit": "提交发放批次",
        "payouts.approve": "审核通过发放批次",
        "payouts.return": "退回发放批次",
        "payouts.cancel": "作废发放批次",
        "payouts.bank_file": "生成银行代发文件",
        "payouts.results": "登记银行回盘",
        "payouts.retry": "失败明细重新发放",
        "payouts.import_results": "导入银行回盘",
        "payouts.export": "导出发放明细",
    },
    {
        "purpose": "用途",
        "reference": "批次号",
        "added": "添加",
        "total_fen": "合计金额",
        "paid_items": "成功笔数",
        "paid_fen": "成功金额",
        "failed_items": "失败笔数",
        "failed_fen": "失败金额",
        "pending_items": "待发笔数",
        "format": "文件格式",
        "paid": "成功",
        "failed": "失败",
        "of": "原批次",
    },
)
