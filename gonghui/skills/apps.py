from django.apps import AppConfig


class SkillsConfig(AppConfig):
    name = "gonghui.skills"
    label = "skills"
    verbose_name = "技能竞赛与培训"

    def ready(self) -> None:
        from gonghui.core.paths import register_path_column
        from gonghui.core.ui import register_dashboard_cards, register_nav
        from gonghui.notices.kinds import register_notice_kind
        from gonghui.skills import (  # noqa: F401  (registers)
            charts,
            errors,
            kinds,
            permissions,
            words,
        )
        from gonghui.skills.models import (
            Activity,
            ActivitySignup,
            Contest,
            Enrolment,
            Entry,
            Innovation,
            Studio,
            TrainingClass,
            TrainingPlan,
        )
        from gonghui.skills.permissions import SkillsPerm
        from gonghui.skills.results import NOTICE_KIND

        register_nav(
            area="honors",
            section="contests",
            label="技能竞赛",
            url_name="skills:contests",
            allowed=SkillsPerm.VIEW,
            order=80,
        )
        register_nav(
            area="honors",
            section="training",
            label="技能培训",
            url_name="skills:classes",
            allowed=SkillsPerm.TRAINING_VIEW,
            order=81,
        )
        for section, label, url_name, order in (
            ("studios", "创新工作室", "skills:studios", 82),
            ("innovations", "五小成果", "skills:innovations", 83),
            ("activities", "职工活动", "skills:activities", 84),
        ):
            register_nav(area="honors", section=section, label=label, url_name=url_name, allowed=SkillsPerm.VIEW,
                         order=order)  # fmt: skip
        register_dashboard_cards(key="contests", template="skills/_dashboard_skills.html", order=60)
        for model, column in (
            (Contest, "org_path"),
            (Entry, "contest_path"),
            (Entry, "org_path"),
            (TrainingClass, "org_path"),
            (Enrolment, "org_path"),
            (TrainingPlan, "org_path"),
            (Studio, "org_path"),
            (Innovation, "org_path"),
            (Activity, "org_path"),
            (ActivitySignup, "org_path"),
        ):
            register_path_column(model, column)
        register_notice_kind(NOTICE_KIND)
        kinds.register()
        words.register()
        # Training on the phone, its certificates, its chart and its demo (issue 19's training half).
        from gonghui.notices.kinds import register_notice_kind
        from gonghui.skills import demo_training, training_stats, training_words  # noqa: F401  (registers)
        from gonghui.skills.training import CERTIFICATE_NOTICE_KIND

        register_notice_kind(CERTIFICATE_NOTICE_KIND)
