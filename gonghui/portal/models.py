"""A member's own account for the phone pages: one login per person, reached by 实名激活."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class MemberAccount(models.Model):
    """Ties a login to the person it belongs to; the user holds no grants, so staff pages show it nothing."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("登录账户"), on_delete=models.CASCADE, related_name="member_account"
    )
    person = models.OneToOneField(
        "members.Person", verbose_name=_("会员"), on_delete=models.PROTECT, related_name="member_account"
    )
    activated_at = models.DateTimeField(_("激活时间"))

    class Meta:
        verbose_name = _("会员账户")
        verbose_name_plural = _("会员账户")

    def __str__(self) -> str:
        # Audit labels carry this: the name only, never the ID number or the mobile.
        return f"{self.person.name}（会员账户）"
