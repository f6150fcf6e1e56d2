from django.apps import AppConfig


class StationsConfig(AppConfig):
    name = "gonghui.stations"
    label = "stations"
    verbose_name = "工会驿站"

    def ready(self) -> None:
        from gonghui.core.paths import register_path_column
        from gonghui.stations import errors, permissions, words  # noqa: F401  (registers)
        from gonghui.stations.models import (
            DutyAssignment,
            DutyGroup,
            DutyShift,
            GroupMember,
            Station,
            StationClosedDay,
            SwapRequest,
        )

        words.register()
        for model in (Station, StationClosedDay, DutyGroup, GroupMember, DutyShift, DutyAssignment, SwapRequest):
            register_path_column(model, "org_path")
