"""Keep ``search_vector`` in the table's row (PostgreSQL, ``STORAGE MAIN``: compressed, moved out
only when a row would not fit its page) rather than in the TOAST table, where ranking a search's
matches fetched each vector through a second index: with 50,000 resources this took a filtered
search's page query from 6.3 ms to 2.9 ms of SQL (``bench/knowledge.py``).

The storage setting applies to values written from now on, so the existing vectors are written
again, a thousand resources per transaction (``atomic = False``): the setting itself locks the
table for an instant, and the rewrite holds the row locks a writer (someone saving a resource)
would wait for one batch at a time. Readers never wait for an UPDATE in PostgreSQL."""

from django.db import migrations

BATCH = 1000


def inline(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("ALTER TABLE knowledge_resource ALTER COLUMN search_vector SET STORAGE MAIN")
        cursor.execute("SELECT coalesce(min(id), 0), coalesce(max(id), -1) FROM knowledge_resource")
        low, high = cursor.fetchone()
        for start in range(low, high + 1, BATCH):
            cursor.execute(
                "UPDATE knowledge_resource SET search_vector = search_vector || ''::tsvector "
                "WHERE id >= %s AND id < %s AND search_vector IS NOT NULL",
                [start, start + BATCH],
            )


def back(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "ALTER TABLE knowledge_resource ALTER COLUMN search_vector SET STORAGE EXTENDED"
        )


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("knowledge", "0004_codes_in_search_vector")]
    operations = [migrations.RunPython(inline, back)]
