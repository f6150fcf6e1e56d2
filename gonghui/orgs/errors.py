"""The org tree's refusals about where a union may sit, added to the shared catalogue.

The older org.* codes are still in `core.errors` (from before apps registered their own).
"""

from django.utils.translation import gettext_lazy as _

from gonghui.core.errors import register_messages

register_messages(
    {
        # validation.check_kind_under: the one rule, used by the services, the import, the API and the forms.
        "org.kind_not_allowed": _("{parent}之下不能设{kind}；可设：{allowed}。"),
        "org.root_kind_not_allowed": _("{kind}不能作为顶级工会（没有上级工会）；顶级工会只能是：{allowed}。"),
        "org.kind_children_conflict": _(
            "组织类型改为{kind}后，现有下级工会中的{children}不能设在其下；请先调整这些下级工会。"
        ),
        # validation.clean_closed_on: an end before its start.
        "org.closed_in_future": _("撤销日期不能晚于今天。"),
        "org.closed_before_founded": _("撤销日期不能早于成立日期（{founded}），请核对日期。"),
        # The `orgs` import, row by row.
        "org.import_parent_missing": _("未找到上级工会“{code}”（系统中不存在，且文件中也没有）"),
        "org.import_parent_rejected": _("上级工会“{code}”（第 {row} 行）未能导入，本行无法挂在它下面"),
        "org.import_parent_cycle": _("上级工会代码首尾相接成环（{chain}），这些工会都找不到顶端的上级"),
        "org.import_root_refused": _(
            "工会“{code}”没有填写上级工会代码，只能作为顶级工会新建；"
            "新建顶级工会只能由平台管理员导入或在服务器控制台导入，请填写上级工会代码"
        ),
        "org.import_root_refused_kind": _(
            "工会“{code}”没有填写上级工会代码，而{kind}不能设在“{parent}”之下，只能作为顶级工会新建；"
            "新建顶级工会只能由平台管理员导入或在服务器控制台导入，请填写上级工会代码"
        ),
    }
)
