"""The payout batches and items, moved from the cards app: in the state only.

The tables (`cards_payoutbatch`, `cards_payoutitem`), their indexes and their
constraints were made by `cards.0002_payouts` and stay as they are, rows and all;
this migration only tells Django that the models are now the payouts app's.
`cards.0004_payouts_moved` then drops the cards app's copies from the state,
after every other app's foreign keys point here (their migrations `run_before` it).
"""

import django.db.models.deletion
import django.db.models.manager
import gonghui.core.fields
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("cards", "0003_credit_referrals_spending"),
        ("members", "0002_sqlite_one_live_membership"),
        ("orgs", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]
    run_before = [("cards", "0004_payouts_moved")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="PayoutBatch",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("org_path", gonghui.core.fields.PathField(editable=False, verbose_name="组织路径")),
                        (
                            "purpose",
                            models.CharField(
                                choices=[
                                    ("hardship", "困难补助"),
                                    ("festival", "节日慰问金"),
                                    ("student_aid", "金秋助学"),
                                    ("model_worker", "劳模津贴"),
                                    ("medical", "医疗互助"),
                                    ("other", "其他"),
                                ],
                                max_length=20,
                                verbose_name="用途",
                            ),
                        ),
                        ("reference", models.CharField(max_length=100, verbose_name="发放事项")),
                        ("title", models.CharField(max_length=200, verbose_name="批次名称")),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("draft", "草稿"),
                                    ("submitted", "待复核"),
                                    ("approved", "已复核"),
                                    ("sent", "已生成银行文件"),
                                    ("reconciled", "已对账"),
                                    ("cancelled", "已作废"),
                                ],
                                default="draft",
                                max_length=20,
                                verbose_name="状态",
                            ),
                        ),
                        ("check_note", models.CharField(blank=True, max_length=200, verbose_name="复核意见")),
                        ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="创建时间")),
                        ("submitted_at", models.DateTimeField(blank=True, null=True, verbose_name="提交时间")),
                        ("checked_at", models.DateTimeField(blank=True, null=True, verbose_name="复核时间")),
                        ("sent_at", models.DateTimeField(blank=True, null=True, verbose_name="生成银行文件时间")),
                        ("reconciled_at", models.DateTimeField(blank=True, null=True, verbose_name="对账时间")),
                        (
                            "bank",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="cards.bankpartner",
                                verbose_name="代发银行",
                            ),
                        ),
                        (
                            "checked_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="复核人",
                            ),
                        ),
                        (
                            "made_by",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="经办人",
                            ),
                        ),
                        (
                            "org",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="orgs.org",
                                verbose_name="发放工会",
                            ),
                        ),
                        (
                            "retry_of",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="retries",
                                to="payouts.payoutbatch",
                                verbose_name="重发自",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "代发批次",
                        "db_table": "cards_payoutbatch",
                        "verbose_name_plural": "代发批次",
                        "ordering": ["-created_at", "-id"],
                        "base_manager_name": "all_objects",
                    },
                    managers=[
                        ("objects", django.db.models.manager.Manager()),
                        ("all_objects", django.db.models.manager.Manager()),
                    ],
                ),
                migrations.CreateModel(
                    name="PayoutItem",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("org_path", gonghui.core.fields.PathField(editable=False, verbose_name="组织路径")),
                        ("amount_fen", models.PositiveBigIntegerField(verbose_name="金额（分）")),
                        (
                            "purpose",
                            models.CharField(
                                choices=[
                                    ("hardship", "困难补助"),
                                    ("festival", "节日慰问金"),
                                    ("student_aid", "金秋助学"),
                                    ("model_worker", "劳模津贴"),
                                    ("medical", "医疗互助"),
                                    ("other", "其他"),
                                ],
                                max_length=20,
                                verbose_name="用途",
                            ),
                        ),
                        ("reference", models.CharField(max_length=100, verbose_name="发放事项")),
                        (
                            "status",
                            models.CharField(
                                choices=[("pending", "待发放"), ("paid", "已到账"), ("failed", "发放失败")],
                                default="pending",
                                max_length=20,
                                verbose_name="状态",
                            ),
                        ),
                        ("failure_reason", models.CharField(blank=True, max_length=200, verbose_name="失败原因")),
                        ("settled_at", models.DateTimeField(blank=True, null=True, verbose_name="结果时间")),
                        (
                            "batch",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="items",
                                to="payouts.payoutbatch",
                                verbose_name="批次",
                            ),
                        ),
                        (
                            "card",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="cards.servicecard",
                                verbose_name="收款卡",
                            ),
                        ),
                        (
                            "person",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="members.person",
                                verbose_name="收款会员",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "代发明细",
                        "db_table": "cards_payoutitem",
                        "verbose_name_plural": "代发明细",
                        "ordering": ["id"],
                        "base_manager_name": "all_objects",
                    },
                    managers=[
                        ("objects", django.db.models.manager.Manager()),
                        ("all_objects", django.db.models.manager.Manager()),
                    ],
                ),
                migrations.AddIndex(
                    model_name="payoutbatch",
                    index=models.Index(fields=["org_path", "created_at"], name="cards_batch_path_at"),
                ),
                migrations.AddIndex(
                    model_name="payoutitem",
                    index=models.Index(fields=["org_path", "status"], name="cards_item_path_status"),
                ),
                migrations.AddConstraint(
                    model_name="payoutitem",
                    constraint=models.UniqueConstraint(
                        condition=models.Q(("status__in", ["pending", "paid"])),
                        fields=("person", "purpose", "reference"),
                        name="cards_payout_once_per_reference",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="payoutitem",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("amount_fen__gt", 0)), name="cards_payout_amount_positive"
                    ),
                ),
            ],
        ),
    ]
