"""The audit log's words for 会员 (see `core.ui.register_audit_labels`)."""

from gonghui.core.ui import register_audit_labels

register_audit_labels(
    {
        "members.membership.register": "登记会员",
        "members.join.apply": "申请入会",
        "members.join.approve": "批准入会",
        "members.join.reject": "驳回入会申请",
        "members.transfer.request_out": "发起转出",
        "members.transfer.request_in": "发起转入",
        "members.transfer.approve": "同意会员接转",
        "members.transfer.reject": "拒绝会员接转",
        "members.transfer.cancel": "撤销会员接转",
        "members.membership.retain": "保留会籍",
        "members.membership.resume": "恢复会籍",
        "members.membership.withdraw": "办理退会",
        "members.membership.expel": "除名",
        "members.membership.reinstate": "恢复会员资格",
        "members.person.update": "修改会员信息",
        "members.person.view_id": "查看完整证件号",
        "members.import": "导入会员",
        "members.export": "导出会员",
        "members.export.unmasked": "明文导出会员",
        "members.demo.load": "载入演示会员",
    },
    {
        "new_person": "新建人员",
        "side": "审批方",
        "completed": "已完成",
        "kept_at": "保留于",
        "members": "会员数",
        "gender": "性别",
        "birth_date": "出生日期",
        "ethnicity": "民族",
        "education": "学历",
        "political_status": "政治面貌",
    },
)
