from django.apps import AppConfig


class BenefitsConfig(AppConfig):
    name = "gonghui.benefits"
    label = "benefits"
    verbose_name = "普惠服务"

    def ready(self) -> None:
        from gonghui.benefits import errors, kinds, permissions  # noqa: F401  (registers)
        from gonghui.benefits.models import BenefitTransaction, Campaign, Merchant
        from gonghui.core.paths import register_path_column

        for model in (Merchant, Campaign, BenefitTransaction):
            register_path_column(model, "org_path")
        kinds.register()
