"""Drop the single-column indexes of three foreign keys that a wider index already leads with
(the case's organisation: the list indexes and the unique reference; a code's case and an index
row's person: their unique constraints). Each was one more index to update for every case
written. Only the indexes go: Django would otherwise drop and re-add each foreign key, checking
every row again (and on SQLite copy each whole table)."""

import django.db.models.deletion
from django.db import migrations, models

COVERED = [
    ("cases_case_organisation_id_dac38ff3", "cases_case", "organisation_id"),
    ("cases_casecode_case_id_5c90971b", "cases_casecode", "case_id"),
    ("cases_personindex_person_id_77a211da", "cases_personindex", "person_id"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_alter_membership_role"),
        ("cases", "0007_limited_grants"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{name}"',
                    reverse_sql=f'CREATE INDEX "{name}" ON "{table}" ("{column}")',
                )
                for name, table, column in COVERED
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="case",
                    name="organisation",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="cases",
                        to="accounts.organisation",
                    ),
                ),
                migrations.AlterField(
                    model_name="casecode",
                    name="case",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="codes",
                        to="cases.case",
                    ),
                ),
                migrations.AlterField(
                    model_name="personindex",
                    name="person",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="index_rows",
                        to="cases.person",
                    ),
                ),
            ],
        )
    ]
