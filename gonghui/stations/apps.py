from django.apps import AppConfig


class StationsConfig(AppConfig):
    name = "gonghui.stations"
    label = "stations"
    verbose_name = "工会驿站"

    def ready(self) -> None:
        from gonghui.core.ui import register_dashboard_cards, register_dashboard_chart, register_nav
        from gonghui.stations.charts import stations_by_city_chart
        from gonghui.stations.permissions import StationPerm

        register_nav(
            area="stations",
            section="stations",
            label="驿站列表",
            url_name="stations:list",
            allowed=StationPerm.VIEW,
            order=200,
        )
        register_nav(
            area="stations",
            section="stations_map",
            label="驿站地图",
            url_name="stations:map",
            allowed=StationPerm.VIEW,
            order=201,
        )
        register_nav(
            area="stations",
            section="stations_swaps",
            label="换班审批",
            url_name="stations:swaps",
            allowed=StationPerm.ROSTER,
            order=202,
        )
        register_dashboard_cards(key="stations", template="stations/_dashboard_stations.html", order=80)
        register_dashboard_chart(
            chart_id="stations-city", title="驿站数量（按市）", data=stations_by_city_chart, order=80
        )
        from gonghui.core.paths import register_path_column
        from gonghui.core.ui import register_member_panel
        from gonghui.stations import errors, permissions, words  # noqa: F401  (registers)
        from gonghui.stations.models import (
            DutyAssignment,
            DutyCheckIn,
            DutyGroup,
            DutyIncident,
            DutyLog,
            DutyShift,
            DutySupply,
            GroupMember,
            Station,
            StationClosedDay,
            StationVisit,
            SwapRequest,
        )
        from gonghui.stations.panels import volunteer_panel

        register_member_panel(
            name="stations", template="stations/_member_volunteer.html", context=volunteer_panel, order=40
        )
        words.register()
        for model in (
            Station,
            StationClosedDay,
            DutyGroup,
            GroupMember,
            DutyShift,
            DutyAssignment,
            SwapRequest,
            DutyCheckIn,
            DutyLog,
            DutySupply,
            DutyIncident,
            StationVisit,
        ):
            register_path_column(model, "org_path")
