# 普惠: quarterly 普惠周 recurrence with caps per occurrence, store-level participation,
# open/closed stores, campaign activation stamps, and the reversal's settlement day.

from django.db import migrations, models
from django.utils import timezone


def fill_occurrences(apps, schema_editor):
    """Campaigns so far had no recurrence: their one occurrence is keyed by the start's local date."""
    if schema_editor.connection.vendor == "postgresql":
        # Check the foreign keys of the rows updated here at once: PostgreSQL refuses the
        # ALTER TABLE and CREATE INDEX below while deferred checks are pending on a table.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    Campaign = apps.get_model("benefits", "Campaign")
    MemberUsage = apps.get_model("benefits", "MemberUsage")
    BenefitTransaction = apps.get_model("benefits", "BenefitTransaction")
    for campaign in Campaign.objects.only("pk", "starts_at").iterator():
        key = timezone.localtime(campaign.starts_at).date()
        MemberUsage.objects.filter(campaign_id=campaign.pk).update(occurrence=key)
        BenefitTransaction.objects.filter(campaign_id=campaign.pk).update(occurrence=key)
    for sale in BenefitTransaction.objects.filter(reversed_at__isnull=False).only("pk", "reversed_at").iterator():
        BenefitTransaction.objects.filter(pk=sale.pk).update(reversed_day=timezone.localtime(sale.reversed_at).date())


class Migration(migrations.Migration):
    dependencies = [
        ("benefits", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="store",
            name="is_active",
            field=models.BooleanField(default=True, verbose_name="营业中"),
        ),
        migrations.AddField(
            model_name="campaign",
            name="stores",
            field=models.ManyToManyField(
                blank=True, related_name="campaigns", to="benefits.store", verbose_name="参与门店"
            ),
        ),
        migrations.AddField(
            model_name="campaign",
            name="recurrence",
            field=models.CharField(
                choices=[("none", "不重复（整个活动期）"), ("quarterly", "每季度普惠周")],
                default="none",
                max_length=10,
                verbose_name="重复方式",
            ),
        ),
        migrations.AddField(
            model_name="campaign",
            name="occurrence_month",
            field=models.PositiveSmallIntegerField(default=1, verbose_name="季度内第几个月"),
        ),
        migrations.AddField(
            model_name="campaign",
            name="occurrence_start_day",
            field=models.PositiveSmallIntegerField(default=1, verbose_name="当月开始日"),
        ),
        migrations.AddField(
            model_name="campaign",
            name="occurrence_days",
            field=models.PositiveSmallIntegerField(default=7, verbose_name="每期天数"),
        ),
        migrations.AddField(
            model_name="campaign",
            name="activated_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="开始执行时间"),
        ),
        migrations.AddField(
            model_name="campaign",
            name="closed_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="结束执行时间"),
        ),
        migrations.AddConstraint(
            model_name="campaign",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("occurrence_month__gte", 1),
                    ("occurrence_month__lte", 3),
                    ("occurrence_start_day__gte", 1),
                    ("occurrence_start_day__lte", 28),
                    ("occurrence_days__gte", 1),
                    ("occurrence_days__lte", 31),
                ),
                name="benefits_campaign_occurrence",
            ),
        ),
        migrations.AddField(
            model_name="memberusage",
            name="occurrence",
            field=models.DateField(null=True),
        ),
        migrations.AddField(
            model_name="benefittransaction",
            name="occurrence",
            field=models.DateField(blank=True, null=True, verbose_name="活动期次"),
        ),
        migrations.AddField(
            model_name="benefittransaction",
            name="reversed_day",
            field=models.DateField(blank=True, null=True, verbose_name="撤销日"),
        ),
        migrations.RunPython(fill_occurrences, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="memberusage",
            name="occurrence",
            field=models.DateField(),
        ),
        migrations.RemoveConstraint(
            model_name="memberusage",
            name="benefits_usage_campaign",
        ),
        migrations.AddConstraint(
            model_name="memberusage",
            constraint=models.UniqueConstraint(
                condition=models.Q(("day__isnull", True)),
                fields=("campaign", "person", "occurrence"),
                name="benefits_usage_occurrence",
            ),
        ),
        migrations.AddIndex(
            model_name="benefittransaction",
            index=models.Index(fields=["org_path", "reversed_day"], name="benefits_tx_path_reversed"),
        ),
    ]
