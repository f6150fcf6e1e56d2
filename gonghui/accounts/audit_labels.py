"""The audit log's words for accounts' actions (see `core.ui.register_audit_labels`)."""

from gonghui.core.ui import register_audit_labels

register_audit_labels(
    {
        "accounts.user.create": "创建用户",
        "accounts.grant.create": "授予角色",
        "accounts.token.create": "签发接口令牌",
        "accounts.token.revoke": "吊销接口令牌",
    },
    {"username": "用户名", "role": "角色"},
)
