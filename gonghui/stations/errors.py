"""The stations' refusals, in Chinese, added to the shared catalogue."""

from django.utils.translation import gettext_lazy as _

from gonghui.core.errors import register_messages

register_messages(
    {
        "station.code_taken": _("驿站编号“{code}”已被使用。"),
        "station.code_invalid": _("驿站编号“{code}”格式不正确：应为 2–32 位数字、大写字母或连字符。"),
        "station.name_required": _("请填写驿站名称和地址。"),
        "station.coords_invalid": _("经纬度不正确：纬度应在 -90 到 90 之间，经度应在 -180 到 180 之间。"),
        "station.datum_unknown": _("坐标系“{datum}”不支持，可填 wgs84 或 gcj02。"),
        "station.region_invalid": _("行政区划代码“{code}”应为 6 位数字。"),
        "station.partner_required": _("社会共建的驿站请填写共建单位类型和名称。"),
        "station.build_mode_invalid": _("建设方式“{value}”不存在，可填：工会自建（union）、社会共建（cobuilt）。"),
        "station.partner_kind_invalid": _("共建单位类型“{value}”不存在。"),
        "station.area_invalid": _("面积应为正数。"),
        "station.facility_invalid": _("{reason}"),
        "station.hours_incomplete": _("{kind}的开门和关门时间须同时填写或同时留空。"),
        "station.field_not_editable": _("不能修改驿站的“{name}”。"),
        "station.org_closed": _("工会“{org}”已撤销，不能在其下登记驿站。"),
        "station.already_closed": _("驿站“{station}”已经关闭。"),
        "station.not_closed": _("驿站“{station}”没有关闭，无需重新开放。"),
        "station.closed": _("驿站“{station}”已关闭，不能排班或加入值班小组。"),
        "station.group_name_taken": _("该驿站已有名为“{name}”的值班小组。"),
        "station.group_name_required": _("请填写值班小组名称。"),
        "station.not_member": _("只有会籍正常的工会会员可以加入值班小组。"),
        "station.already_in_group": _("您已经在该驿站的值班小组“{group}”中（{state}）。"),
        "station.volunteer_wrong_status": _("该志愿者的状态为“{state}”，不能{action}。"),
        "station.leader_not_volunteer": _("组长须是本小组已加入的志愿者。"),
        "station.rotation_needs_groups": _("按周轮值须至少选择一个值班小组。"),
        "station.rotation_start_monday": _("按周轮值须从星期一开始。"),
        "station.rotation_group_twice": _("同一个值班小组在轮值顺序中只能出现一次。"),
        "station.rotation_people": _("每班人数应为 1 至 20 人；按周轮值每班由当周小组负责，人数为 1。"),
        "station.rotation_range": _("排班的结束日期不能早于开始日期。"),
        "station.rotation_too_long": _("一次最多排两年的班。"),
        "station.rotation_group_foreign": _("轮值的小组须是本驿站的值班小组。"),
        "station.shift_full": _("该班次已满（{capacity} 人）。"),
        "station.shift_taken": _("该班次已有人值班。"),
        "station.not_volunteer": _("只有本驿站已加入值班小组的志愿者可以值班。"),
        "station.swap_invalid": _("换班须在两个不同的人、不同的班次之间进行。"),
        "station.swap_stale": _("班次安排已经变化，请刷新后重新申请换班。"),
        "station.swap_already_on_shift": _("换班后会有人在同一班次值两次班，不能换。"),
        "station.swap_open": _("这个班次已有一个未办结的换班申请。"),
        "station.swap_not_yours": _("只能为自己的班次申请换班。"),
        "station.swap_not_counterpart": _("这个换班申请不是发给您的。"),
        "station.swap_not_leader": _("只有该小组的组长或驿站管理人员可以审批换班。"),
        "station.swap_wrong_status": _("换班申请的状态为“{state}”，不能{action}。"),
        "station.swap_past": _("已经开始的班次不能换班。"),
        "station.map_invalid": _(
            "地图“{value}”不存在，可选：百度地图（baidu）、高德地图（amap）、腾讯地图（tencent）。"
        ),
        "station.inspection_year": _("检查年度应在 2000 年至明年之间。"),
        "station.inspection_stars": _("星级应为 1 至 5 星。"),
        "station.photo_invalid": _("请上传不超过 {mb} MB 的 JPG 或 PNG 照片。"),
        "station.photo_unreadable": _("照片无法读取：{reason}"),
        "station.photo_too_many": _("每个驿站最多保存 {limit} 张照片，请先删除旧照片。"),
    }
)
