from django.apps import AppConfig


class PayoutsConfig(AppConfig):
    name = "gonghui.payouts"
    label = "payouts"
    verbose_name = "资金代发"

    def ready(self) -> None:
        from gonghui.core.paths import register_path_column
        from gonghui.core.ui import register_dashboard_cards, register_nav
        from gonghui.payouts import errors, kinds, permissions  # noqa: F401  (registers)
        from gonghui.payouts.models import PayoutBatch, PayoutItem
        from gonghui.payouts.permissions import PayoutPerm

        register_nav(
            area="services",
            section="payouts",
            label="资金代发",
            url_name="payouts:payouts",
            allowed=PayoutPerm.VIEW,
            order=50,
        )
        register_dashboard_cards(key="payout_yuan", template="payouts/_dashboard_payout_yuan.html", order=30)
        kinds.register()
        for model in (PayoutBatch, PayoutItem):
            register_path_column(model, "org_path")
