from django.apps import AppConfig


class CardsConfig(AppConfig):
    name = "gonghui.cards"
    label = "cards"
    verbose_name = "会员服务卡"

    def ready(self) -> None:
        from gonghui.cards import errors, kinds, permissions  # noqa: F401  (registers)

        kinds.register()
        from gonghui.cards.models import CardEvent, PayoutBatch, PayoutItem, ServiceCard
        from gonghui.core.paths import register_path_column

        for model in (ServiceCard, CardEvent, PayoutBatch, PayoutItem):
            register_path_column(model, "org_path")
