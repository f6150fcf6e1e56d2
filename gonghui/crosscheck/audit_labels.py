"""The audit log's words for 重复受助比对 (see `core.ui.register_audit_labels`)."""

from gonghui.core.ui import register_audit_labels

register_audit_labels(
    {
        "crosscheck.run": "运行重复受助比对",
        "crosscheck.review.cleared": "复核排除（非重复）",
        "crosscheck.review.confirmed": "复核确认重复受助",
        "crosscheck.import_agency_list": "导入部门救助名单",
        "crosscheck.export_agency_records": "导出部门救助记录",
    },
    {
        "subjects": "比对对象",
        "flagged": "疑似重复",
        "new_reviews": "新增复核",
        "new_evidence": "新增证据",
        "reopened": "重新复核",
        "subject": "对象",
    },
)
