from django.apps import AppConfig


class StationsConfig(AppConfig):
    name = "gonghui.stations"
    label = "stations"
    verbose_name = "工会驿站"

    def ready(self) -> None:
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
