from django.db import models

from gonghui.core.permissions import register


class CrossCheckPerm(models.TextChoices):
    VIEW = "crosscheck.list.view", "查看部门名单与比对结果"
    IMPORT = "crosscheck.list.import", "上传部门名单（民政、共青团、妇联、教育资助）"
    DECIDE = "crosscheck.review.decide", "复核比对命中（排除或确认重复受助）"


register(
    CrossCheckPerm,
    {
        CrossCheckPerm.VIEW: ["officer", "reviewer", "viewer"],
        CrossCheckPerm.IMPORT: ["officer"],
        CrossCheckPerm.DECIDE: ["reviewer"],
    },
)
