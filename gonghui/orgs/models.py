from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from gonghui.core.fields import ByteOrderCharField, PathField
from gonghui.core.paths import path_ids
from gonghui.core.regions import region_name
from gonghui.core.scoping import ScopedManager


class OrgKind(models.TextChoices):
    """组织类型 (DOMAIN.md §2)."""

    PROVINCE_FEDERATION = "province_federation", _("省级总工会")
    CITY_FEDERATION = "city_federation", _("市（州）总工会")
    COUNTY_FEDERATION = "county_federation", _("县（市、区）总工会")
    TOWNSHIP = "township", _("乡镇（街道）工会")
    INDUSTRY_UNION = "industry_union", _("产业工会")
    SECTOR_FEDERATION = "sector_federation", _("行业性工会联合会")
    REGIONAL_FEDERATION = "regional_federation", _("区域性工会联合会")
    DEVELOPMENT_ZONE = "development_zone", _("开发区（园区）工会")
    COMMUNITY = "community", _("村（社区）工会")
    GRASSROOTS = "grassroots", _("基层工会")
    JOINT_GRASSROOTS = "joint_grassroots", _("联合基层工会")
    BRANCH = "branch", _("工会分会（小组）")


FEDERATION_KINDS = {
    OrgKind.PROVINCE_FEDERATION,
    OrgKind.CITY_FEDERATION,
    OrgKind.COUNTY_FEDERATION,
}
# Kinds an org may name as the industry federation it rolls up to.
INDUSTRY_ROLLUP_KINDS = {OrgKind.INDUSTRY_UNION, OrgKind.SECTOR_FEDERATION}


class OrgForm(models.TextChoices):
    COMMITTEE = "committee", _("工会委员会")
    WORKING_COMMITTEE = "working_committee", _("工会工作委员会")
    BRANCH = "branch", _("工会支会")
    ORGANIZER = "organizer", _("工会组织员")


class Org(models.Model):
    """A node of the union tree: a federation, an industry union or a grassroots union."""

    code = models.CharField(_("工会代码"), max_length=32, unique=True)
    name = models.CharField(_("工会名称"), max_length=200)
    short_name = models.CharField(_("简称"), max_length=60, blank=True)
    # Search keys of the name, written by the services with it (core.pinyin): "yilingquzonggonghui", "ylqzgh".
    name_pinyin = ByteOrderCharField(_("名称全拼"), max_length=200, blank=True, editable=False)
    name_initials = ByteOrderCharField(_("名称首字母"), max_length=100, blank=True, editable=False)
    kind = models.CharField(_("组织类型"), max_length=32, choices=OrgKind.choices)
    form = models.CharField(_("组织形式"), max_length=32, choices=OrgForm.choices, blank=True)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级工会"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = PathField(_("组织路径"), editable=False)
    depth = models.PositiveSmallIntegerField(_("层级"), default=0, editable=False)
    industry_federation = models.ForeignKey(
        "self",
        verbose_name=_("归口产业（行业）工会"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="rollup_members",
    )
    # An industry union or sector federation whose affiliates sit in other parts of the
    # tree (a province's 交通运输工会 and the county unions of its trade) says so here;
    # without it, only a union that can already see the federation may name it.
    accepts_affiliates = models.BooleanField(
        _("允许辖区外工会归口"),
        default=False,
        help_text=_("产业（行业）工会：辖区以外的工会也可以把它填为归口工会"),
    )
    region_code = models.CharField(_("行政区划代码"), max_length=6, blank=True)
    uscc = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    is_new_employment = models.BooleanField(_("新就业形态工会"), default=False)
    is_industry_chain = models.BooleanField(_("产业链工会"), default=False)
    # The public join page (/m/join/CODE/ and its QR code) answers only when the union publishes it:
    # an unpublished code looks exactly like an unknown one, so codes cannot be confirmed by trying.
    join_published = models.BooleanField(_("公开入会页面"), default=False)
    founded_on = models.DateField(_("成立日期"), null=True, blank=True)
    chair = models.CharField(_("工会主席"), max_length=60, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    employee_count = models.PositiveIntegerField(_("职工人数"), null=True, blank=True)
    unit_name = models.CharField(_("所在单位"), max_length=200, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    closed_on = models.DateField(_("撤销日期"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects: ScopedManager[Org] = ScopedManager(  # type: ignore[assignment]
        path_field="path"
    )
    all_objects = models.Manager()

    class Meta:
        verbose_name = _("工会组织")
        verbose_name_plural = _("工会组织")
        base_manager_name = "all_objects"
        ordering = ["path"]
        indexes = [
            models.Index(fields=["parent", "name"], name="orgs_org_parent_name"),
            models.Index(fields=["region_code"], name="orgs_org_region"),
            models.Index(fields=["name_pinyin"], name="orgs_org_pinyin"),
            models.Index(fields=["name_initials"], name="orgs_org_initials"),
        ]
        constraints = [
            # The unique index on path is the b-tree every subtree range scan
            # uses; a constraint (not db_index) so PostgreSQL adds no second
            # pattern-ops index on the "C"-collated column.
            models.UniqueConstraint(fields=["path"], name="orgs_org_path_unique"),
            models.UniqueConstraint(fields=["uscc"], condition=~models.Q(uscc=""), name="orgs_org_uscc_unique"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_closed(self) -> bool:
        return self.closed_on is not None

    @property
    def region_name(self) -> str:
        return region_name(self.region_code) if self.region_code else ""

    @property
    def ancestor_ids(self) -> list[int]:
        return path_ids(self.path)[:-1]
