"""The public holidays move down to core (the 公示 counts working days too): copy the rows, drop the table."""

from django.db import migrations


def copy_holidays(apps, schema_editor):
    old = apps.get_model("stations", "Holiday")
    new = apps.get_model("core", "Holiday")
    new.objects.bulk_create(
        [new(day=h.day, name=h.name) for h in old.objects.all()], ignore_conflicts=True
    )


def copy_back(apps, schema_editor):
    old = apps.get_model("stations", "Holiday")
    new = apps.get_model("core", "Holiday")
    old.objects.bulk_create([old(day=h.day, name=h.name) for h in new.objects.all()], ignore_conflicts=True)


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0006_holiday"),
        ("stations", "0003_inspections_photos_map"),
    ]

    operations = [
        migrations.RunPython(copy_holidays, copy_back),
        migrations.DeleteModel(name="Holiday"),
    ]
