from django.apps import AppConfig


class BenefitsConfig(AppConfig):
    name = "gonghui.benefits"
    label = "benefits"
    verbose_name = "普惠服务"

    def ready(self) -> None:
        from gonghui.benefits.permissions import BenefitPerm
        from gonghui.core.ui import register_dashboard_cards, register_landing, register_nav

        register_landing(_till_of)

        register_nav(
            area="services",
            section="benefits",
            label="普惠服务",
            url_name="benefits:campaigns",
            allowed=BenefitPerm.VIEW,
            order=60,
        )
        register_dashboard_cards(
            key="benefit_spend_yuan", template="benefits/_dashboard_benefit_spend_yuan.html", order=40
        )
        from gonghui.benefits import errors, kinds, permissions  # noqa: F401  (registers)
        from gonghui.benefits.models import BenefitTransaction, Campaign, Merchant
        from gonghui.core.paths import register_path_column

        for model in (Merchant, Campaign, BenefitTransaction):
            register_path_column(model, "org_path")
        kinds.register()


def _till_of(user: object) -> str | None:
    """A cashier's home is the till (the dashboard would be a 403 to them)."""
    from django.urls import reverse

    from gonghui.benefits.selectors import is_cashier

    return reverse("benefits:till") if is_cashier(user=user) else None
