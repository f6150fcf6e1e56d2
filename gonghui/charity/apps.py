from typing import Any

from django.apps import AppConfig


class CharityConfig(AppConfig):
    name = "gonghui.charity"
    label = "charity"
    verbose_name = "慈善基金"

    def ready(self) -> None:
        from gonghui.charity import errors, permissions  # noqa: F401  (registers)
        from gonghui.charity.models import Activity, Disbursement, Donation, Fund, FundEntry, Project, Receipt
        from gonghui.charity.permissions import CharityPerm
        from gonghui.core.paths import register_path_column
        from gonghui.core.ui import register_dashboard_cards, register_nav

        # 帮扶, beside 困难帮扶 and 金秋助学: the fund exists to pay them, and the same cadres run it.
        register_nav(
            area="aid",
            section="charity",
            label="慈善基金",
            url_name="charity:funds",
            allowed=CharityPerm.VIEW,
            order=90,
        )
        register_dashboard_cards(key="charity_donations_yuan", template="charity/_dashboard_charity.html", order=70)
        for model in (Fund, Donation, Receipt, Project, Activity, Disbursement, FundEntry):
            register_path_column(model, "org_path")
        from gonghui.charity import kinds, words
        from gonghui.charity.views import member_charity
        from gonghui.core.ui import register_member_panel

        register_member_panel(name="charity", template="charity/_member_charity.html", context=member_charity, order=60)

        words.register()
        kinds.register()

        from gonghui.payouts.signals import payout_items_settled

        payout_items_settled.connect(_settled, dispatch_uid="charity.payout_returns")

        from gonghui.charity.selectors import student_course_lines
        from gonghui.student_aid.selectors import register_course_lines

        register_course_lines(student_course_lines)

        # 祁阳's enterprise money for students: its own demo step (order 59), beside the app's demo.py.
        from gonghui.charity import demo_students  # noqa: F401  (registers)


def _settled(sender: object, *, batch: Any, actor: Any, **kwargs: Any) -> None:
    """A batch's items settled (or cancelled): the payments the bank failed give their money back to the fund."""
    from gonghui.charity.services import payout_returns_book

    payout_returns_book(actor=actor, batch=batch)
