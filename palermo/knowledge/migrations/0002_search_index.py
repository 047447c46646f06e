"""The full-text index. On PostgreSQL: a GIN index, and English, French and Spanish
configurations that fold accents before stemming (the unaccent extension, trusted since
PostgreSQL 13), so that "explotacion" finds "explotación". On SQLite: an FTS5 table, which
folds accents by itself."""

from django.db import migrations

UNACCENTED = ("english", "french", "spanish")


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
        for language in UNACCENTED:
            schema_editor.execute(
                f"CREATE TEXT SEARCH CONFIGURATION palermo_{language} "
                f"(COPY = pg_catalog.{language})"
            )
            schema_editor.execute(
                f"ALTER TEXT SEARCH CONFIGURATION palermo_{language} ALTER MAPPING FOR "
                f"hword, hword_part, word WITH unaccent, {language}_stem"
            )
        schema_editor.execute(
            "CREATE INDEX knowledge_resource_search ON knowledge_resource USING gin (search_vector)"
        )
    elif schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(
            "CREATE VIRTUAL TABLE knowledge_resource_fts USING fts5("
            "title, abstract, body, tokenize = 'unicode61 remove_diacritics 2')"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS knowledge_resource_search")
        for language in UNACCENTED:
            schema_editor.execute(f"DROP TEXT SEARCH CONFIGURATION IF EXISTS palermo_{language}")
    elif schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP TABLE IF EXISTS knowledge_resource_fts")


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
