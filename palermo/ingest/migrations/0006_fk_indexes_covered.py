"""Drop the single-column index of the key's organisation: the unique constraint
(organisation, source, source_key) leads with it. Only the index goes, not the foreign key
(see cases 0008)."""

import django.db.models.deletion
from django.db import migrations, models

NAME = "ingest_importedrecord_organisation_id_7b3f97c3"


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_alter_membership_role"),
        ("ingest", "0005_batch_language"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{NAME}"',
                    reverse_sql=(
                        f'CREATE INDEX "{NAME}" ON "ingest_importedrecord" ("organisation_id")'
                    ),
                )
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="importedrecord",
                    name="organisation",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        to="accounts.organisation",
                    ),
                )
            ],
        )
    ]
