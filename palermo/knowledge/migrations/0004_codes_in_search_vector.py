"""The kind and the codes of each resource as lexemes of its ``search_vector`` (PostgreSQL):
``kind=legislation``, ``country=TH``, lexemes no text yields (the parser splits words at "=";
only a URL keeps one, after a host or a "/"),
so that a search filtered by them reads one GIN index scan (``search.code_lexeme``; from now on
``services.reindex`` writes them). The code rows stay the source of truth; this fills the
vectors of the resources indexed before."""

from django.db import migrations

FILL = """
UPDATE knowledge_resource r SET search_vector =
    COALESCE(r.search_vector, ''::tsvector) || array_to_tsvector(
        ARRAY['kind=' || r.kind]
        || ARRAY(SELECT c.kind || '=' || c.code FROM knowledge_resourcecode c
                 WHERE c.resource_id = r.id)
    )
"""
# A code's lexeme: a kind of code, then "=" (a URL's has a "." or "/" before its "=").
EMPTY = """
UPDATE knowledge_resource SET search_vector = ts_delete(
    search_vector,
    ARRAY(SELECT lexeme FROM unnest(search_vector) WHERE lexeme ~ '^[a-z_]+=')
)
WHERE search_vector IS NOT NULL
"""


def fill(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FILL)


def empty(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(EMPTY)


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0003_code_statistics")]
    operations = [migrations.RunPython(fill, empty)]
