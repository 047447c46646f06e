from django.db import migrations


def create_head(apps, schema_editor):
    ChainHead = apps.get_model("audit", "ChainHead")
    AuditEvent = apps.get_model("audit", "AuditEvent")
    last = AuditEvent.objects.order_by("-seq").values_list("seq", "hash").first()
    seq, digest = last if last else (0, "0" * 64)
    ChainHead.objects.get_or_create(id=1, defaults={"last_seq": seq, "last_hash": digest})


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only_triggers")]

    operations = [migrations.RunPython(create_head, migrations.RunPython.noop)]
