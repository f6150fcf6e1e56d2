from django.apps import AppConfig


class CardsConfig(AppConfig):
    name = "gonghui.cards"
    label = "cards"
    verbose_name = "会员服务卡"

    def ready(self) -> None:
        from gonghui.cards.permissions import CardPerm
        from gonghui.core.ui import register_dashboard_cards, register_nav

        register_nav(
            area="services", section="cards", label="服务卡", url_name="cards:cards", allowed=CardPerm.VIEW, order=40
        )
        register_dashboard_cards(key="credit_cards", template="cards/_dashboard_credit_cards.html", order=70)
        from gonghui.cards import errors, kinds, permissions  # noqa: F401  (registers)
        from gonghui.cards.views import member_cards
        from gonghui.core.ui import register_member_panel

        register_member_panel(name="cards", template="cards/_member_cards.html", context=member_cards, order=10)

        kinds.register()
        from gonghui.cards.models import CardEvent, ServiceCard
        from gonghui.core.paths import register_path_column

        for model in (ServiceCard, CardEvent):
            register_path_column(model, "org_path")
