"""Every foreign key can be followed backwards without reading the whole table: its column
leads an index, a unique constraint or the primary key. A foreign key declared with
``db_index=False`` (cases 0008, ingest 0006) relies on a composite index or unique constraint
that starts with its column; dropping or reordering that one fails here, on the database
actually migrated."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import connection, models

pytestmark = pytest.mark.django_db


def _constrained_keys(model: type[models.Model]) -> list[str]:
    return [
        field.column
        for field in model._meta.local_fields
        if isinstance(field, models.ForeignKey) and field.db_constraint and field.column
    ]


def test_every_foreign_key_column_leads_an_index() -> None:
    unindexed = []
    checked = 0
    with connection.cursor() as cursor:
        tables = set(connection.introspection.table_names(cursor))
        for model in apps.get_models(include_auto_created=True):
            options = model._meta
            if not options.managed or options.proxy or options.db_table not in tables:
                continue
            columns = _constrained_keys(model)
            if not columns:
                continue
            constraints = connection.introspection.get_constraints(cursor, options.db_table)
            leading = {
                found["columns"][0]
                for found in constraints.values()
                if found["columns"] and (found["index"] or found["unique"] or found["primary_key"])
            }
            checked += len(columns)
            unindexed += [f"{options.db_table}.{c}" for c in columns if c not in leading]
    assert checked > 50  # the models were read (one-to-one keys are foreign keys too)
    assert unindexed == []
