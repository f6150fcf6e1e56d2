from django.apps import AppConfig


class CrosscheckConfig(AppConfig):
    name = "gonghui.crosscheck"
    label = "crosscheck"
    verbose_name = "部门名单比对"
