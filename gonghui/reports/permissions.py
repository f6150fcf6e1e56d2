from django.db import models

from gonghui.core.permissions import register


class ReportPerm(models.TextChoices):
    STATS_VIEW = "reports.stats.view", "查看统计数据"


register(ReportPerm, {ReportPerm.STATS_VIEW: ["officer", "reviewer", "viewer"]})
