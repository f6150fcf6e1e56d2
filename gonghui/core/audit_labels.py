"""The audit log's words for core's own actions, and the data keys every app's events share."""

from gonghui.core.ui import register_audit_labels

register_audit_labels(
    {
        "core.keys.rotate": "轮换加密密钥",
        "core.synonym.add": "添加同义词",
        "core.synonym.delete": "删除同义词",
    },
    {
        # what an import job (core.bulk.engine.audit_import) and an export record
        "file": "文件",
        "rows": "行数",
        "created": "新增",
        "updated": "更新",
        "unchanged": "未变",
        "rejected": "拒收",
        "unmasked": "明文导出",
        # shared by many events
        "changes": "变更",
        "from": "自",
        "to": "至",
        "reason": "原因",
        "note": "说明",
        "name": "名称",
        "year": "年度",
        "table": "词表",
        "word": "词",
        "value": "值",
        "region_code": "行政区划",
        "address": "地址",
        "id_number": "证件号码",
        "mobile": "手机号",
        "code": "代码",
        "kind": "类型",
        "category": "类别",
        "org": "工会",
        "user": "用户",
        "merchant": "商户",
        "store": "门店",
        "bank": "银行",
        "amount_fen": "金额",
        "applications": "申请数",
        "refused": "未通过",
        "items": "笔数",
    },
)
