"""Authors, licence, the language of the full text, the evidence level of a good practice or an
evaluation, and case law's acts, means, form of trafficking and verdict become code rows too
(``vocabulary.FIELD_KINDS``; from now on ``services.save_resource`` writes them), so that each
is a filter with a facet. This writes them for the resources saved before, and on PostgreSQL
adds their lexemes to ``search_vector`` as migration 0004 did for the other codes: a batch of
resources at a time, each in its own transaction (``atomic = False``, as 0005: a writer waits
for one batch's row locks at most). Run again after a failure, it writes the same rows and
lexemes (the rows are skipped when present; a lexeme added twice is kept once)."""

from django.db import migrations, transaction

KINDS = (
    "author",
    "licence",
    "text_language",
    "evidence_level",
    "act",
    "means",
    "trafficking_form",
    "verdict",
)
FILL = """
UPDATE knowledge_resource r SET search_vector =
    COALESCE(r.search_vector, ''::tsvector) || array_to_tsvector(
        ARRAY(SELECT c.kind || '=' || c.code FROM knowledge_resourcecode c
              WHERE c.resource_id = r.id AND c.kind = ANY(%s))
    )
WHERE r.id = ANY(%s) AND EXISTS (SELECT 1 FROM knowledge_resourcecode c
                              WHERE c.resource_id = r.id AND c.kind = ANY(%s))
"""
BATCH = 2000
ASSESSED_KINDS = ("evaluation", "good_practice")


def _codes(resource, assessment, case):
    """As ``services.field_codes`` reads them (from the saved fields, by the resource's kind):
    keep the two alike."""
    codes = {("author", a.strip()[:200]) for a in resource.authors or () if str(a).strip()}
    if resource.licence.strip():
        codes.add(("licence", resource.licence.strip()[:200]))
    if resource.text_language:
        codes.add(("text_language", resource.text_language))
    if resource.kind in ASSESSED_KINDS and assessment is not None and assessment.evidence_level:
        codes.add(("evidence_level", assessment.evidence_level))
    if resource.kind == "case_law" and case is not None:
        codes |= {("act", act) for act in case.acts or ()}
        codes |= {("means", means) for means in case.means or ()}
        if case.form:
            codes.add(("trafficking_form", case.form))
        if case.verdict:
            codes.add(("verdict", case.verdict))
    return codes


def fill(apps, schema_editor):
    Resource = apps.get_model("knowledge", "Resource")
    ResourceCode = apps.get_model("knowledge", "ResourceCode")
    Assessment = apps.get_model("knowledge", "Assessment")
    CaseLaw = apps.get_model("knowledge", "CaseLaw")
    ids = list(Resource.objects.order_by("id").values_list("id", flat=True))
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        assessments = {a.resource_id: a for a in Assessment.objects.filter(resource_id__in=chunk)}
        cases = {c.resource_id: c for c in CaseLaw.objects.filter(resource_id__in=chunk)}
        rows = [
            ResourceCode(resource_id=r.id, kind=kind, code=code)
            for r in Resource.objects.filter(id__in=chunk).only(
                "id", "kind", "authors", "licence", "text_language"
            )
            for kind, code in _codes(r, assessments.get(r.id), cases.get(r.id))
        ]
        with transaction.atomic(using=schema_editor.connection.alias):
            ResourceCode.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
            if schema_editor.connection.vendor == "postgresql":
                schema_editor.execute(FILL, [list(KINDS), chunk, list(KINDS)])


def empty(apps, schema_editor):
    ResourceCode = apps.get_model("knowledge", "ResourceCode")
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "UPDATE knowledge_resource SET search_vector = ts_delete(search_vector, ARRAY("
            "SELECT lexeme FROM unnest(search_vector) WHERE split_part(lexeme, '=', 1) = ANY(%s)"
            ")) WHERE search_vector IS NOT NULL",
            [list(KINDS)],
        )
    ResourceCode.objects.filter(kind__in=KINDS).delete()


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("knowledge", "0005_search_vector_inline")]
    operations = [migrations.RunPython(fill, empty)]
