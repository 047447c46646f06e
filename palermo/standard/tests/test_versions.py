"""Editing the standard makes versions; old versions stay readable and old data stays valid."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from palermo.accounts.models import Role
from palermo.accounts.tests.factories import MembershipFactory
from palermo.audit.models import AuditEvent
from palermo.standard import exports, selectors, services
from palermo.standard.models import Code, CodeList, Field

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(world):  # type: ignore[no-untyped-def]
    return MembershipFactory(organisation=world.host, role=Role.DATA_MANAGER).user


def _codes(key: str, version: int) -> set[str]:
    return set(
        selectors.codes(CodeList.objects.get(key=key), version).values_list("code", flat=True)
    )


def test_adding_a_code_makes_a_version_and_leaves_the_old_one_as_it_was(editor) -> None:  # type: ignore[no-untyped-def]
    before = selectors.latest_version()
    exploitation = Code.objects.get(code_list__key="type_of_exploitation", code="ForcedLabour")
    code = services.add_code(
        CodeList.objects.get(key="forced_labour_industry"),
        "X_Fishing",
        {"en": "Fishing at sea", "fr": "Pêche en mer"},
        editor,
        parent=exploitation,
        note="Requested by the task force",
    )
    assert code.since == before + 1 == selectors.latest_version()
    assert "X_Fishing" in _codes("forced_labour_industry", before + 1)
    assert "X_Fishing" not in _codes("forced_labour_industry", before)
    labels = selectors.code_labels([code.pk], before + 1)[code.pk]
    assert labels == {"en": "Fishing at sea", "fr": "Pêche en mer"}
    event = AuditEvent.objects.filter(action="standard.code_added").latest("seq")
    assert event.actor == editor
    assert event.detail["code"] == "X_Fishing"
    version = selectors.versions().first()
    assert version.note == "Requested by the task force"
    assert version.created_by == editor


def test_codes_are_never_duplicated_or_reused(editor) -> None:  # type: ignore[no-untyped-def]
    gender = CodeList.objects.get(key="gender")
    with pytest.raises(ValidationError, match="already exists"):
        services.add_code(gender, "Feminine", {"en": "Feminine"}, editor)
    with pytest.raises(ValidationError, match="without spaces"):
        services.add_code(gender, "Two words", {"en": "x"}, editor)
    with pytest.raises(ValidationError, match="English label is required"):
        services.add_code(gender, "Other", {"fr": "Autre"}, editor)
    code = services.add_code(gender, "Other", {"en": "Other"}, editor)
    services.retire_code(code, editor, "Merged into NonConforming")
    with pytest.raises(ValidationError, match="never reused"):
        services.add_code(gender, "Other", {"en": "Other"}, editor)


def test_a_translation_is_a_new_version_and_the_old_label_stays_readable(editor) -> None:  # type: ignore[no-untyped-def]
    code = Code.objects.get(code_list__key="gender", code="Feminine")
    before = selectors.latest_version()
    assert "fr" not in selectors.code_labels([code.pk], before)[code.pk]
    after = services.set_label(code, "fr", "Féminin", editor)
    assert selectors.code_labels([code.pk], after)[code.pk]["fr"] == "Féminin"
    again = services.set_label(code, "fr", "Féminine", editor)
    assert selectors.code_labels([code.pk], after)[code.pk]["fr"] == "Féminin"
    assert selectors.code_labels([code.pk], again)[code.pk]["fr"] == "Féminine"
    with pytest.raises(ValidationError, match="already the label"):
        services.set_label(code, "fr", "Féminine", editor)
    field = Field.objects.get(key="prs_Gender")
    services.set_label(field, "es", "Género", editor)
    assert (
        selectors.field_labels([field.pk], selectors.latest_version())[field.pk]["es"] == "Género"
    )


def test_data_coded_against_an_old_version_stays_valid(editor) -> None:  # type: ignore[no-untyped-def]
    code = services.add_code(
        CodeList.objects.get(key="marital_status"), "Cohabiting", {"en": "Cohabiting"}, editor
    )
    coded_at = code.since
    record = {"prs_MaritalStatus": "Cohabiting"}
    retired_at = services.retire_code(code, editor, "Not used by any agency")
    assert exports.validate_record(record, exports.record_schema(coded_at)) == []
    errors = exports.validate_record(record, exports.record_schema(retired_at))
    assert errors == ["prs_MaritalStatus: 'Cohabiting' is not a code of this field's list"]
    # The retired code is still readable, marked as retired.
    assert "Cohabiting" in set(
        selectors.codes(code.code_list, retired_at, include_retired=True).values_list(
            "code", flat=True
        )
    )
    with pytest.raises(ValidationError, match="already retired"):
        services.retire_code(code, editor, "again")


def test_a_code_with_active_narrower_codes_cannot_be_retired(editor) -> None:  # type: ignore[no-untyped-def]
    forced_labour = Code.objects.get(code_list__key="type_of_exploitation", code="ForcedLabour")
    with pytest.raises(ValidationError, match="narrower codes"):
        services.retire_code(forced_labour, editor, "no")


def test_missing_translations_fall_back_to_english() -> None:
    assert selectors.pick_label({"en": "Feminine"}, "fr") == ("Feminine", True)
    assert selectors.pick_label({"en": "Feminine", "fr": "Féminin"}, "fr") == ("Féminin", False)
    assert selectors.pick_label({"en": "Feminine"}, "en") == ("Feminine", False)


def test_access_to_editing_the_standard(world, editor) -> None:  # type: ignore[no-untyped-def]
    from palermo.accounts import access

    assert access.can_edit_standard(editor)
    assert access.can_edit_standard(world.users["platform_admin"])
    assert not access.can_edit_standard(world.users["data_manager"])  # not the host
    assert not access.can_edit_standard(world.users["case_worker"])
