from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.core.fields import PathField
from gonghui.core.scoping import ScopedManager


class AuditEvent(models.Model):
    """Who did what to which record, written by services in their own transaction."""

    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_label = models.CharField(_("操作人"), max_length=150, blank=True)
    org = models.ForeignKey(
        settings.GONGHUI_ORG_MODEL,
        verbose_name=_("所属工会"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Denormalized so the audit log is scoped by one range scan and stays
    # readable after an org moves or closes: events stay where they happened.
    org_path = PathField(_("组织路径"), blank=True, default="")
    action = models.CharField(_("操作"), max_length=80, db_index=True)
    target_type = models.CharField(_("对象类型"), max_length=80, blank=True)
    target_id = models.CharField(_("对象标识"), max_length=64, blank=True)
    target_label = models.CharField(_("对象"), max_length=200, blank=True)
    data = models.JSONField(_("详情"), default=dict, blank=True)
    ip_address = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)

    objects: ScopedManager[AuditEvent] = ScopedManager(  # type: ignore[assignment]
        path_field="org_path"
    )
    all_objects = models.Manager()

    class Meta:
        verbose_name = _("审计事件")
        verbose_name_plural = _("审计事件")
        base_manager_name = "all_objects"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["org_path", "at"], name="core_audit_path_at")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.target_label}"


class BulkJob(models.Model):
    """One import or export run in the background (DESIGN §3.5), with its progress and outcome.

    The job is filed under the union it was started for: the actor and whoever
    holds the kind's permission on that union see it. Files live under
    `settings.DATA_DIR` (paths stored relative to it, names random); the file's
    own name is kept for display.
    """

    class Direction(models.TextChoices):
        IMPORT = "import", _("导入")
        EXPORT = "export", _("导出")

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("运行中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    direction = models.CharField(_("方向"), max_length=10, choices=Direction.choices)
    kind = models.CharField(_("类型"), max_length=40)
    org = models.ForeignKey(
        settings.GONGHUI_ORG_MODEL,
        verbose_name=_("所属工会"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Kept in step with the tree by org_move (registered in CoreConfig.ready).
    org_path = PathField(_("组织路径"), blank=True, default="")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发起人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_label = models.CharField(_("发起人"), max_length=150, blank=True)
    file_path = models.CharField(_("文件"), max_length=500, blank=True)  # relative to DATA_DIR
    file_name = models.CharField(_("文件名"), max_length=255, blank=True)  # as uploaded / as downloaded
    dry_run = models.BooleanField(_("只校验不写入"), default=False)
    # Columns the user confirmed on the preview ({header as in the file: column}): `Table.likely`.
    header_map = models.JSONField(_("确认的列对应"), default=dict, blank=True)
    unmasked = models.BooleanField(_("包含完整证件号码"), default=False)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    # Bumped by each re-run; a task only claims the attempt it was enqueued for.
    attempt = models.PositiveIntegerField(_("运行次数"), default=1)
    rows_done = models.PositiveBigIntegerField(_("已处理行数"), default=0)
    rows_total = models.PositiveBigIntegerField(_("预计行数"), null=True, blank=True)
    summary = models.JSONField(_("结果"), null=True, blank=True)
    report_path = models.CharField(_("结果文件"), max_length=500, blank=True)  # relative to DATA_DIR
    error = models.TextField(_("错误信息"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    # Touched by every progress update: a running job whose heartbeat stopped was killed.
    heartbeat_at = models.DateTimeField(_("最近进展"), null=True, blank=True)

    objects: ScopedManager[BulkJob] = ScopedManager(path_field="org_path")  # type: ignore[assignment]
    all_objects = models.Manager()

    class Meta:
        verbose_name = _("批量任务")
        verbose_name_plural = _("批量任务")
        base_manager_name = "all_objects"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["org_path", "created_at"], name="core_bulkjob_path_at"),
            models.Index(fields=["actor", "created_at"], name="core_bulkjob_actor_at"),
        ]

    def __str__(self) -> str:
        return f"{self.get_direction_display()} {self.kind} #{self.pk}"

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)


class BulkJobAttempt(models.Model):
    """One run of a job: who or what started it, how it ended (the job page lists them).

    A worker killed mid-run cannot write its own ending; the next worker's recovery
    (`core.jobs.bulk_jobs_recover`) writes 工作进程中断 for it and queues the next attempt.
    """

    class Trigger(models.TextChoices):
        FIRST = "first", _("首次运行")
        RERUN = "rerun", _("手动重新运行")
        RECOVER = "recover", _("自动恢复")

    class Outcome(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("运行中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")
        LOST = "lost", _("工作进程中断")

    job = models.ForeignKey(BulkJob, verbose_name=_("任务"), on_delete=models.CASCADE, related_name="attempts")
    number = models.PositiveIntegerField(_("第几次"))
    trigger = models.CharField(_("启动方式"), max_length=10, choices=Trigger.choices, default=Trigger.FIRST)
    outcome = models.CharField(_("结果"), max_length=10, choices=Outcome.choices, default=Outcome.QUEUED)
    queued_at = models.DateTimeField(_("排队时间"), default=timezone.now)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    ended_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    rows_done = models.PositiveBigIntegerField(_("已处理行数"), default=0)
    error = models.TextField(_("原因"), blank=True)

    class Meta:
        verbose_name = _("任务运行记录")
        verbose_name_plural = _("任务运行记录")
        ordering = ["job", "number"]
        constraints = [models.UniqueConstraint(fields=["job", "number"], name="core_bulkjobattempt_unique")]

    def __str__(self) -> str:
        return f"{self.job_id} #{self.number}"


class Synonym(models.Model):
    """A word people type for one choice of a table (高中 → 普通高中), added by a platform admin.

    The shipped synonyms live in code with the app that owns the table (`core.words`);
    these rows extend them and win where both name the same word.
    """

    table = models.CharField(_("对照表"), max_length=40)
    word = models.CharField(_("常用写法"), max_length=60)  # as compared: `core.words.normalize_word`
    value = models.CharField(_("对应代码"), max_length=40)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("添加人"), null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(_("添加时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("词语对照")
        verbose_name_plural = _("词语对照")
        ordering = ["table", "word"]
        constraints = [models.UniqueConstraint(fields=["table", "word"], name="core_synonym_unique")]

    def __str__(self) -> str:
        return f"{self.table}: {self.word} → {self.value}"


class Holiday(models.Model):
    """A public holiday (the State Council's list, published each year): data, not code.

    Read by whatever counts days: stations' opening hours and the working days of a 公示
    (`core.workdays`). Lived in `stations` until the 公示 needed it too.
    """

    day = models.DateField(_("日期"), unique=True)
    name = models.CharField(_("节日"), max_length=40)

    class Meta:
        verbose_name = _("法定节假日")
        verbose_name_plural = _("法定节假日")
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day} {self.name}"
