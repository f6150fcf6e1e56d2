from __future__ import annotations

from django.conf import settings
from django.db import models
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
        "orgs.Org", verbose_name=_("所属工会"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
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
