"""The audit log's words for 组织 (see `core.ui.register_audit_labels`)."""

from gonghui.core.ui import register_audit_labels

register_audit_labels(
    {
        "orgs.org.create": "新建工会",
        "orgs.org.update": "修改工会信息",
        "orgs.org.move": "调整上级工会",
        "orgs.org.close": "撤销工会",
        "orgs.org.bulk_create": "批量新建工会",
        "orgs.tree.repair": "修复组织树",
        "orgs.import": "导入工会",
        "orgs.import.batch": "导入工会（一批）",
        "orgs.export": "导出工会",
        "orgs.demo.load": "载入演示组织",
    },
    {
        "parent": "上级工会",
        "subtree_size": "含下级数",
        "closed_on": "撤销日期",
        "fixed": "修复数",
        "short_name": "简称",
        "form": "组建形式",
        "is_new_employment": "新就业形态",
        "is_industry_chain": "产业链工会",
        "join_published": "公开入会页面",
        "founded_on": "成立日期",
        "chair": "主席",
        "contact_phone": "联系电话",
        "employee_count": "职工人数",
    },
)
