from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "gonghui.orgs"
    label = "orgs"
    verbose_name = "工会组织"

    def ready(self) -> None:
        from gonghui.orgs import kinds, permissions  # noqa: F401  (registers)

        kinds.register()
