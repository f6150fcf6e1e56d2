"""The audit log's words for 工会驿站 (see `core.ui.register_audit_labels`)."""

from gonghui.core.ui import register_audit_labels

register_audit_labels(
    {
        "stations.create": "登记驿站",
        "stations.update": "修改驿站",
        "stations.close": "关闭驿站",
        "stations.reopen": "重新开放驿站",
        "stations.group_create": "新建值班小组",
        "stations.group_join": "申请加入值班小组",
        "stations.volunteer_approve": "批准加入值班小组",
        "stations.volunteer_reject": "驳回加入值班小组",
        "stations.calendar_generate": "生成值班表",
        "stations.shift_take": "安排值班",
        "stations.swap_request": "申请换班",
        "stations.swap_accept": "同意换班",
        "stations.swap_decline": "拒绝换班",
        "stations.swap_approve": "批准换班",
        "stations.swap_refuse": "驳回换班",
        "stations.swap_cancel": "撤回换班申请",
        "stations.closed_day_add": "登记驿站闭站日",
        "stations.holidays_load": "导入法定节假日",
        "stations.demo.load": "载入演示驿站",
    },
    {
        "station": "驿站",
        "group": "值班小组",
        "shifts": "班次数",
        "years": "年份",
        "created": "新增",
        "updated": "更新",
        "unchanged": "未变",
        "removed": "删除",
        "stations": "驿站数",
        "cobuilt": "社会共建",
    },
)
