"""The audit log's words for 会员端账号 (see `core.ui.register_audit_labels`)."""

from gonghui.core.ui import register_audit_labels

register_audit_labels(
    {
        "portal.member_account.activate": "激活会员账号",
        "portal.member_account.create": "开通会员账号",
    }
)
