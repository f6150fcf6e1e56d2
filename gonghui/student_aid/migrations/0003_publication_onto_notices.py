"""金秋助学's 公示 moves onto the shared `notices` tables.

Each publication is copied with its id (so /student-aid/publications/<id>/ keeps working), each
published application becomes an entry (its public columns as the list showed them; rejected after
an upheld objection: removed), each objection is copied with its id onto its entry. Then the
applications' key points at the new table and the old tables go; `Publication` and `Objection`
stay as proxies of the shared models.
"""

from decimal import Decimal

import django.db.models.deletion
from django.core.management.color import no_style
from django.db import migrations, models

LEVELS = {"high_school": "高中/中职", "vocational": "高职高专", "undergraduate": "本科", "graduate": "研究生"}


def copy_onto_notices(apps, schema_editor):
    OldPublication = apps.get_model("student_aid", "Publication")
    OldObjection = apps.get_model("student_aid", "Objection")
    Application = apps.get_model("student_aid", "StudentAidApplication")
    Org = apps.get_model("orgs", "Org")
    ContentType = apps.get_model("contenttypes", "ContentType")
    Publication = apps.get_model("notices", "Publication")
    Entry = apps.get_model("notices", "PublicationEntry")
    Objection = apps.get_model("notices", "Objection")
    olds = list(OldPublication.objects.all().order_by("pk"))
    if not olds:
        return
    subject_type, _ = ContentType.objects.get_or_create(app_label="student_aid", model="studentaidapplication")
    import secrets

    for old in olds:
        phone = Org.objects.filter(pk=old.org_id).values_list("contact_phone", flat=True).first() or ""
        Publication.objects.create(
            pk=old.pk,
            kind="student_aid",
            org_id=old.org_id,
            org_path=old.org_path,
            year=old.school_year,
            title=old.title,
            days=(old.ends_on - old.starts_on).days + 1,
            day_basis="calendar",
            starts_on=old.starts_on,
            ends_on=old.ends_on,
            contact_phone=phone,
            token=secrets.token_urlsafe(16),
            status=old.status,
            created_by_id=old.created_by_id,
            closed_at=old.closed_at,
        )
        Publication.objects.filter(pk=old.pk).update(created_at=old.created_at)
    entry_of = {}
    names = dict(Org.objects.values_list("pk", "name"))
    upheld = set(OldObjection.objects.filter(status="upheld").values_list("application_id", flat=True))
    apps_ = Application.objects.exclude(publication_id=None)
    rows = sorted(apps_, key=lambda a: (a.publication_id, names.get(a.org_id, ""), a.student_name, a.pk))
    position = {}
    for a in rows:
        position[a.publication_id] = position.get(a.publication_id, 0) + 1
        removed = a.status == "rejected" and a.pk in upheld
        entry = Entry.objects.create(
            publication_id=a.publication_id,
            position=position[a.publication_id],
            subject_type=subject_type,
            subject_id=a.pk,
            name=a.student_name,
            details={
                "school": a.school,
                "level": LEVELS.get(a.level, a.level),
                "union": names.get(a.org_id, ""),
                "amount_yuan": f"{Decimal(a.amount_fen) / 100:.2f}",
            },
            status="removed" if removed else "listed",
            removed_reason=a.status_note if removed else "",
        )
        entry_of[(a.publication_id, a.pk)] = entry.pk
    for old in OldObjection.objects.all().order_by("pk"):
        Objection.objects.create(
            pk=old.pk,
            publication_id=old.publication_id,
            entry_id=entry_of[(old.publication_id, old.application_id)],
            org_path=old.org_path,
            channel="recorded",
            raised_by=old.raised_by,
            reason=old.reason,
            received_on=old.received_on,
            status=old.status,
            resolution=old.resolution,
            recorded_by_id=old.recorded_by_id,
            resolved_by_id=old.resolved_by_id,
            resolved_at=old.resolved_at,
        )
    connection = schema_editor.connection
    if connection.vendor == "postgresql":  # rows were inserted with their ids: move the sequences past them
        for sql in connection.ops.sequence_reset_sql(no_style(), [Publication, Objection]):
            schema_editor.execute(sql)


class Migration(migrations.Migration):

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("notices", "0001_initial"),
        ("orgs", "0001_initial"),
        ("student_aid", "0002_payout_item_in_payouts"),
    ]

    operations = [
        migrations.RunPython(copy_onto_notices, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="studentaidapplication",
            name="publication",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="notices.publication",
                verbose_name="公示",
            ),
        ),
        migrations.DeleteModel(name="Objection"),
        migrations.DeleteModel(name="Publication"),
        migrations.CreateModel(
            name="Objection",
            fields=[],
            options={
                "verbose_name": "金秋助学公示异议",
                "verbose_name_plural": "金秋助学公示异议",
                "proxy": True,
                "indexes": [],
                "constraints": [],
            },
            bases=("notices.objection",),
            managers=[
                ("objects", django.db.models.manager.Manager()),
                ("all_objects", django.db.models.manager.Manager()),
            ],
        ),
        migrations.CreateModel(
            name="Publication",
            fields=[],
            options={
                "verbose_name": "金秋助学公示",
                "verbose_name_plural": "金秋助学公示",
                "proxy": True,
                "indexes": [],
                "constraints": [],
            },
            bases=("notices.publication",),
            managers=[
                ("objects", django.db.models.manager.Manager()),
                ("all_objects", django.db.models.manager.Manager()),
            ],
        ),
        migrations.AlterField(
            model_name="studentaidapplication",
            name="publication",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="applications",
                to="student_aid.publication",
                verbose_name="公示",
            ),
        ),
    ]
