"""Planner statistics on a code row's kind and code together (PostgreSQL). Taken apart, the
two look independent, and the planner guessed six times too few resources for a common country
(6,642 rows of Thailand estimated at 1,098), which chose the plan of a search filtered by it."""

from django.db import migrations


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE STATISTICS IF NOT EXISTS knowledge_resourcecode_kind_code "
            "(ndistinct, dependencies, mcv) ON kind, code FROM knowledge_resourcecode"
        )
        schema_editor.execute("ANALYZE knowledge_resourcecode")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP STATISTICS IF EXISTS knowledge_resourcecode_kind_code")


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0002_search_index")]
    operations = [migrations.RunPython(create, drop)]
