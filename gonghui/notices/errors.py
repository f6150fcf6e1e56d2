from django.utils.translation import gettext_lazy as _

from gonghui.core.errors import register_messages

register_messages(
    {
        "notices.publication_closed": _("公示“{title}”已结束，不能{action}。"),
        "notices.outside_window": _("公示期为 {start} 至 {end}，{action}须在公示期内。"),
        "notices.received_in_future": _("收到日期不能晚于今天"),
        "notices.window_not_over": _("公示期至 {end} 才结束，不能提前结束公示。"),
        "notices.open_objections": _("还有 {count} 条异议未处理，请处理后再结束公示。"),
        "notices.objection_resolved": _("该异议已处理（{state}）。"),
        "notices.nothing_listed": _("公示名单为空，不能发布。"),
        "notices.entry_removed": _("“{name}”已从公示名单中撤下，不能{action}。"),
        "notices.too_many_objections": _("该公示收到的异议已达上限，请直接与{org}联系（{phone}）。"),
        "notices.days_invalid": _("公示天数至少为 1 天"),
        "notices.objection_reason_required": _("请填写异议内容"),
        "notices.resolution_note_required": _("请填写处理意见"),
        "notices.raised_by_required": _("请填写您的姓名"),
        "notices.contact_required": _("请留下联系电话或其他联系方式，以便核实反馈"),
    }
)

register_messages(
    {
        "notices.nothing_to_certify": _("没有要颁发证书的对象。"),
        "notices.certificate_incomplete": _("证书须有获得者姓名和荣誉名称。"),
    }
)
