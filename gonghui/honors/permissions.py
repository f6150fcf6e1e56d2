from django.db import models

from gonghui.core.permissions import register


class HonorPerm(models.TextChoices):
    VIEW = "honors.campaign.view", "查看评选活动、推荐对象和荣誉登记"
    MANAGE = "honors.campaign.manage", "组织评选（名额、比例、公示、公布、证书）"
    NOMINATE = "honors.nomination.submit", "推荐并上报推荐对象"
    REVIEW = "honors.nomination.review", "审核推荐对象"


register(
    HonorPerm,
    {
        HonorPerm.VIEW: ["officer", "reviewer", "viewer"],
        HonorPerm.MANAGE: ["officer"],
        HonorPerm.NOMINATE: ["officer"],
        HonorPerm.REVIEW: ["reviewer"],
    },
)
