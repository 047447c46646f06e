"""Writing the standard: loading it from its sources, versioned edits, screening instruments and
mapping profiles. Every write is audited."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import jsonschema
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from palermo.accounts import access
from palermo.audit import services as audit
from palermo.standard import selectors, sources
from palermo.standard.mapping import YES_NO, ColumnRule, FieldInfo, Vocabulary
from palermo.standard.models import (
    LABEL_LANGUAGES,
    Code,
    CodeLabel,
    CodeList,
    CodeMapping,
    ColumnMapping,
    Field,
    FieldLabel,
    FieldType,
    Instrument,
    InstrumentVersion,
    MappingProfile,
    StandardVersion,
)
from palermo.standard.schemas import INSTRUMENT_SCHEMA

if TYPE_CHECKING:
    from palermo.accounts.models import Organisation, User


@dataclass(frozen=True)
class LoadResult:
    version: int
    created_version: bool
    changes: Mapping[str, int]
    instruments: Mapping[str, int]


class _Version:
    """The version a set of changes will create; it is recorded only if something changed."""

    def __init__(self) -> None:
        self.number = selectors.latest_version() + 1
        self.changes: Counter[str] = Counter()

    def commit(self, note: str, actor: User | None) -> bool:
        if not +self.changes:  # unary plus drops zero counts
            return False
        try:
            with transaction.atomic():
                StandardVersion.objects.create(number=self.number, note=note, created_by=actor)
        except IntegrityError:
            raise ValidationError(
                _("Someone else changed the standard at the same moment. Please try again.")
            ) from None
        return True


# Loading from the sources ----------------------------------------------------------------------


def _sync_labels(
    model: type[CodeLabel] | type[FieldLabel],
    owner_attr: str,
    wanted: Mapping[int, Mapping[str, str]],
    version: _Version,
    counter: str,
) -> None:
    current = {
        (getattr(label, f"{owner_attr}_id"), label.language): label
        for label in model.objects.filter(until__isnull=True)
    }
    new: list[Any] = []
    for owner_id, labels in wanted.items():
        for language, text in labels.items():
            text = text[:300]
            existing = current.get((owner_id, language))
            if existing is not None and (not existing.from_source or existing.text == text):
                continue  # unchanged, or an editor's label: the source never overwrites it
            if existing is not None:
                existing.until = version.number
                existing.save(update_fields=["until"])
            new.append(
                model(
                    **{f"{owner_attr}_id": owner_id},
                    language=language,
                    text=text,
                    since=version.number,
                    from_source=True,
                )
            )
    model.objects.bulk_create(new, batch_size=500)
    version.changes[counter] += len(new)


def _sync_code_lists(spec: sources.StandardSpec, version: _Version) -> dict[str, CodeList]:
    lists = {cl.key: cl for cl in CodeList.objects.all()}
    for item in spec.code_lists.values():
        obj = lists.get(item.key)
        if obj is None:
            lists[item.key] = CodeList.objects.create(
                key=item.key,
                name=item.name,
                description=item.description,
                source=item.source,
                since=version.number,
            )
            version.changes["code lists"] += 1
        elif (obj.name, obj.description, obj.source) != (item.name, item.description, item.source):
            obj.name, obj.description, obj.source = item.name, item.description, item.source
            obj.save(update_fields=["name", "description", "source"])
    return lists


def _sync_codes(
    spec: sources.StandardSpec, lists: Mapping[str, CodeList], version: _Version
) -> dict[tuple[str, str], Code]:
    existing = {(c.code_list.key, c.code): c for c in Code.objects.select_related("code_list")}
    new = []
    for item in spec.code_lists.values():
        for order, code in enumerate(item.codes):
            obj = existing.get((item.key, code.code))
            if obj is None:
                new.append(
                    Code(
                        code_list=lists[item.key],
                        code=code.code,
                        aliases=code.aliases,
                        order=order,
                        since=version.number,
                    )
                )
            elif obj.aliases != code.aliases:
                obj.aliases = code.aliases
                obj.save(update_fields=["aliases"])
    for obj in Code.objects.bulk_create(new, batch_size=500):
        existing[(obj.code_list.key, obj.code)] = obj
    version.changes["codes"] += len(new)
    for item in spec.code_lists.values():
        for code in item.codes:
            obj = existing[(item.key, code.code)]
            parent = existing[code.parent] if code.parent else None
            if obj.parent_id != (parent.pk if parent else None):
                obj.parent = parent
                obj.save(update_fields=["parent"])
    wanted = {
        existing[(item.key, code.code)].pk: code.labels
        for item in spec.code_lists.values()
        for code in item.codes
    }
    _sync_labels(CodeLabel, "code", wanted, version, "code labels")
    return existing


FIELD_ATTRIBUTES = (
    "section",
    "name",
    "data_type",
    "is_core",
    "status",
    "description",
    "notes",
    "source",
    "aliases",
    "derivation",
)


def _sync_fields(
    spec: sources.StandardSpec, lists: Mapping[str, CodeList], version: _Version
) -> None:
    existing = {f.key: f for f in Field.objects.all()}
    wanted: dict[int, Mapping[str, str]] = {}
    for order, item in enumerate(spec.fields):
        values = {name: getattr(item, name) for name in FIELD_ATTRIBUTES}
        code_list = lists[item.code_list] if item.code_list else None
        obj = existing.get(item.key)
        if obj is None:
            obj = Field.objects.create(
                key=item.key, code_list=code_list, order=order, since=version.number, **values
            )
            version.changes["fields"] += 1
        else:
            changed = [n for n, v in values.items() if getattr(obj, n) != v]
            if obj.code_list_id != (code_list.pk if code_list else None):
                obj.code_list = code_list
                changed.append("code_list")
            if obj.order != order:
                obj.order = order
                changed.append("order")
            for name in changed:
                if name in values:
                    setattr(obj, name, values[name])
            if changed:
                obj.save(update_fields=changed)
        wanted[obj.pk] = item.labels
    _sync_labels(FieldLabel, "field", wanted, version, "field labels")


def _sync_mappings(
    spec: sources.StandardSpec, codes: Mapping[tuple[str, str], Code], version: _Version
) -> None:
    existing = set(CodeMapping.objects.values_list("source_id", "target_id"))
    new = []
    for source, target in spec.mappings:
        try:
            pair = (codes[source].pk, codes[target].pk)
        except KeyError as missing:
            raise sources.SourceError(f"crosswalk names an unknown code {missing}") from None
        if pair not in existing:
            existing.add(pair)
            new.append(CodeMapping(source_id=pair[0], target_id=pair[1], since=version.number))
    CodeMapping.objects.bulk_create(new)
    version.changes["crosswalk entries"] += len(new)


@transaction.atomic
def load_standard(actor: User | None = None) -> LoadResult:
    """Bring the stored standard up to date with its sources. Idempotent: when nothing changed
    it writes nothing. What the sources add or relabel goes into one new version; what they no
    longer hold is left as it is (retiring is an editor's decision)."""
    spec = sources.build_spec()
    version = _Version()
    lists = _sync_code_lists(spec, version)
    codes = _sync_codes(spec, lists, version)
    _sync_fields(spec, lists, version)
    _sync_mappings(spec, codes, version)
    first = version.number == 1
    note = (
        "HTCDS 2.0 fields and code lists, CTDC analytic variables, ISO countries and languages."
        if first
        else "Reference data refreshed from the sources: "
        + ", ".join(f"{n} {what}" for what, n in sorted(version.changes.items()) if n)
    )
    created = version.commit(note, actor)
    instruments = Counter[str]()
    for document in sources.ilo_instruments():
        outcome = _store_instrument(document, owner=None, actor=actor)
        instruments[outcome] += 1
    if created:
        audit.record(
            action="standard.loaded",
            actor=actor,
            detail={"version": version.number, **{k: v for k, v in version.changes.items() if v}},
        )
    return LoadResult(
        version=selectors.latest_version(),
        created_version=created,
        changes=dict(version.changes),
        instruments=dict(instruments),
    )


# Edits by editors -----------------------------------------------------------------------------

CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.+\-]{0,79}$")


def _clean_labels(labels: Mapping[str, str]) -> dict[str, str]:
    cleaned = {lang: (text or "").strip() for lang, text in labels.items() if (text or "").strip()}
    unknown = set(cleaned) - set(LABEL_LANGUAGES)
    if unknown:
        raise ValidationError(_("Unknown language: %s") % ", ".join(sorted(unknown)))
    for lang, text in cleaned.items():
        if len(text) > 300:
            raise ValidationError(_("A label may have at most 300 characters (%s).") % lang)
    return cleaned


@transaction.atomic
def add_code(
    code_list: CodeList,
    code: str,
    labels: Mapping[str, str],
    actor: User,
    parent: Code | None = None,
    note: str = "",
) -> Code:
    """Add a code to a list, creating a new version of the standard."""
    code = (code or "").strip()
    if not CODE_PATTERN.match(code):
        raise ValidationError(
            {"code": _("Use letters, digits, '_', '-', '.' or '+', without spaces (80 at most).")}
        )
    cleaned = _clean_labels(labels)
    if not cleaned.get("en"):
        raise ValidationError(
            {"label_en": _("The English label is required: it is authoritative.")}
        )
    existing = Code.objects.filter(code_list=code_list, code=code).first()
    if existing is not None:
        message = (
            _("This code already exists in the list.")
            if existing.until is None
            else _("This code existed and was retired; codes are never reused.")
        )
        raise ValidationError({"code": message})
    if parent is not None and parent.until is not None:
        raise ValidationError({"parent": _("A retired code cannot be a parent.")})
    version = _Version()
    order = (Code.objects.filter(code_list=code_list).aggregate(n=Max("order"))["n"] or 0) + 1
    obj = Code.objects.create(
        code_list=code_list, code=code, parent=parent, order=order, since=version.number
    )
    CodeLabel.objects.bulk_create(
        CodeLabel(code=obj, language=lang, text=text, since=version.number)
        for lang, text in cleaned.items()
    )
    version.changes["codes"] += 1
    version.commit(note or f"Code {code} added to {code_list.key}.", actor)
    audit.record(
        action="standard.code_added",
        actor=actor,
        target=obj,
        detail={"version": version.number, "list": code_list.key, "code": code},
    )
    return obj


@transaction.atomic
def set_label(target: Code | Field, language: str, text: str, actor: User) -> int:
    """Add or change the label of a code or a field in one language: a new version."""
    cleaned = _clean_labels({language: text})
    if language not in cleaned:
        raise ValidationError({"text": _("The label cannot be empty.")})
    model: type[CodeLabel] | type[FieldLabel]
    owner: dict[str, Any]
    # Lock the code or field: concurrent edits of its labels queue up behind each other.
    if isinstance(target, Code):
        target = Code.objects.select_for_update().get(pk=target.pk)
        model, owner = CodeLabel, {"code": target}
    else:
        target = Field.objects.select_for_update().get(pk=target.pk)
        model, owner = FieldLabel, {"field": target}
    if target.until is not None:
        raise ValidationError(_("A retired code or field keeps the labels it had."))
    current = model.objects.filter(**owner, language=language, until__isnull=True).first()
    if current is not None and current.text == cleaned[language]:
        raise ValidationError({"text": _("This is already the label.")})
    version = _Version()
    if current is not None:
        current.until = version.number
        current.save(update_fields=["until"])
    model.objects.create(**owner, language=language, text=cleaned[language], since=version.number)
    version.changes["labels"] += 1
    version.commit(f"Label of {target} in {language} {'changed' if current else 'added'}.", actor)
    audit.record(
        action="standard.label_set",
        actor=actor,
        target=target,
        detail={"version": version.number, "language": language, "object": str(target)},
    )
    return version.number


@transaction.atomic
def retire_code(code: Code, actor: User, reason: str) -> int:
    """Retire a code: it stays readable in the versions that had it, and data coded with it
    stays valid against those versions."""
    code = Code.objects.select_for_update().get(pk=code.pk)
    if code.until is not None:
        raise ValidationError(_("This code is already retired."))
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the code is retired.")})
    if code.children.filter(until__isnull=True).exists():
        raise ValidationError(_("Retire the narrower codes under this one first."))
    version = _Version()
    code.until = version.number
    code.save(update_fields=["until"])
    version.changes["retired codes"] += 1
    version.commit(f"Code {code} retired: {reason.strip()}", actor)
    audit.record(
        action="standard.code_retired",
        actor=actor,
        target=code,
        detail={"version": version.number, "code": str(code), "reason": reason.strip()},
    )
    return version.number


# Screening instruments --------------------------------------------------------------------------


MAX_DOCUMENT_DEPTH = 20


def _plain_json_errors(document: Any) -> list[str]:
    """What a database cannot store or a validator cannot walk: deep nesting, NaN and infinite
    numbers, NUL characters."""
    errors: list[str] = []
    stack: list[tuple[Any, str, int]] = [(document, "", 0)]
    while stack and len(errors) < 10:
        value, path, depth = stack.pop()
        where = path or "(document)"
        if depth > MAX_DOCUMENT_DEPTH:
            errors.append(f"{where}: nested more than {MAX_DOCUMENT_DEPTH} levels deep")
            continue
        if isinstance(value, float) and not math.isfinite(value):
            errors.append(f"{where}: {value} is not a number JSON allows")
        elif isinstance(value, str) and "\x00" in value:
            errors.append(f"{where}: contains a NUL character")
        elif isinstance(value, dict):
            for key, child in value.items():
                if "\x00" in str(key):
                    errors.append(f"{where}: a key contains a NUL character")
                stack.append((child, f"{path}/{key}".lstrip("/"), depth + 1))
        elif isinstance(value, list):
            stack.extend(
                (child, f"{path}/{i}".lstrip("/"), depth + 1) for i, child in enumerate(value)
            )
    return errors


def instrument_errors(document: Any) -> list[str]:
    """Everything wrong with an instrument document, each naming where it is."""
    plain = _plain_json_errors(document)
    if plain:
        return plain
    validator = jsonschema.Draft202012Validator(INSTRUMENT_SCHEMA)
    errors = [
        f"{'/'.join(str(p) for p in error.absolute_path) or '(document)'}: {error.message}"
        for error in sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
    ]
    if errors:
        return errors
    dims = [d["key"] for d in document["dimensions"]]
    facts = [f["key"] for f in document.get("facts", [])]
    for key, n in Counter(dims + facts).items():
        if n > 1:
            errors.append(f"the key {key!r} names {n} dimensions or facts; keys must be unique")
    for dim in document["dimensions"]:
        for key, n in Counter(i["key"] for i in dim["indicators"]).items():
            if n > 1:
                errors.append(f"dimensions/{dim['key']}: indicator {key!r} is listed {n} times")

    def names(node: Any) -> Iterable[str]:
        if isinstance(node, str):
            yield node
        else:
            for children in node.values():
                for child in children:
                    yield from names(child)

    for name in names(document["rule"]["outcome"]):
        if name not in dims and name not in facts:
            errors.append(f"rule/outcome: {name!r} is neither a dimension nor a fact")
    return errors


def _store_instrument(
    document: Mapping[str, Any], owner: Organisation | None, actor: User | None
) -> str:
    errors = instrument_errors(document)
    if errors:
        raise ValidationError(errors)
    instrument, created = Instrument.objects.get_or_create(
        key=document["key"], owner=owner, defaults={"name": document["name"]}
    )
    latest = instrument.versions.order_by("-number").first()
    if latest is not None and latest.document == document:
        return "unchanged"
    if instrument.name != document["name"]:
        instrument.name = document["name"]
        instrument.save(update_fields=["name"])
    version = InstrumentVersion.objects.create(
        instrument=instrument,
        number=(latest.number + 1) if latest else 1,
        document=dict(document),
        verification=document["verification"]["status"],
        created_by=actor,
    )
    audit.record(
        action="standard.instrument_version_added",
        actor=actor,
        organisation=owner,
        target=version,
        detail={"instrument": instrument.key, "version": version.number},
    )
    return "created" if created else "new version"


@transaction.atomic
def import_instrument(
    document: Mapping[str, Any], owner: Organisation, actor: User
) -> InstrumentVersion:
    """Add an organisation's own instrument, or a new version of it."""
    outcome = _store_instrument(document, owner=owner, actor=actor)
    if outcome == "unchanged":
        raise ValidationError(_("This instrument version is already stored, unchanged."))
    instrument = Instrument.objects.get(key=document["key"], owner=owner)
    return selectors.current_version(instrument)


# Mapping profiles ------------------------------------------------------------------------------


def vocabulary(version: int | None = None) -> Vocabulary:
    """Every accepted spelling of every code at ``version`` (the latest by default)."""
    version = version or selectors.latest_version()
    vocab = Vocabulary()
    labels = selectors.code_labels(Code.objects.at(version).values_list("pk", flat=True), version)
    for code in Code.objects.at(version).select_related("code_list").order_by("order"):
        vocab.add(
            code.code_list.key,
            code.code,
            [*code.aliases, *labels.get(code.pk, {}).values()],
        )
    return vocab


def field_infos(version: int | None = None) -> dict[str, FieldInfo]:
    version = version or selectors.latest_version()
    return {
        f.key: FieldInfo(f.key, f.data_type, f.code_list.key if f.code_list else None)
        for f in Field.objects.at(version).select_related("code_list")
    }


def profile_rules(profile: MappingProfile) -> list[ColumnRule]:
    return [
        ColumnRule(c.column, c.field.key, c.separator, c.values)
        for c in profile.columns.select_related("field")
    ]


@transaction.atomic
def save_profile(
    organisation: Organisation,
    name: str,
    columns: Sequence[Mapping[str, Any]],
    actor: User,
    description: str = "",
    profile: MappingProfile | None = None,
    id_column: str = "",
    skip_rows: int = 0,
) -> MappingProfile:
    """Create or replace a mapping profile. ``columns``: dicts with ``column``, ``field`` (a
    field key), optional ``separator`` and ``values`` (own value -> standard code);
    ``id_column`` names the column of the source's own identifiers, ``skip_rows`` the rows to
    skip under the header. Only the organisation's data managers keep its profiles (every door:
    pages, commands, the import's mapping page)."""
    if not access.can_manage_profiles(actor, organisation):
        raise PermissionDenied("keep this organisation's mapping profiles")
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the profile a name.")})
    clash = MappingProfile.objects.filter(organisation=organisation, name=name)
    if profile is not None:
        clash = clash.exclude(pk=profile.pk)
    if clash.exists():
        raise ValidationError({"name": _("Your organisation already has a profile of this name.")})
    infos = field_infos()
    vocab = vocabulary()
    errors: list[str] = []
    seen: set[str] = set()
    single_targets: set[str] = set()
    cleaned = []
    for item in columns:
        column = str(item.get("column", "")).strip()
        key = str(item.get("field", "")).strip()
        if not column or not key:
            errors.append(_("Every row needs a column and a field."))
            continue
        if column in seen:
            errors.append(_("The column “%s” is mapped twice.") % column)
        seen.add(column)
        info = infos.get(key)
        if info is None:
            errors.append(_("“%s” is not a field of the standard.") % key)
            continue
        values = {str(k).strip(): str(v).strip() for k, v in (item.get("values") or {}).items()}
        texts = [column, *values, *values.values()]
        if any("\x00" in text for text in texts) or any(len(text) > 200 for text in texts):
            errors.append(_("%s: a name or value is too long or holds a NUL character.") % column)
            continue
        separator = str(item.get("separator") or "")[:5]
        code_list = YES_NO if info.data_type == FieldType.BOOLEAN else info.code_list
        if info.data_type != FieldType.MULTI_CHOICE:
            if separator:
                errors.append(
                    _("%(column)s: the field %(field)s takes one value, so it has no separator.")
                    % {"column": column, "field": key}
                )
            if key in single_targets:
                errors.append(
                    _("%(field)s takes one value but two columns are mapped to it.")
                    % {"field": key}
                )
            single_targets.add(key)
        if values and not code_list:
            errors.append(_("The field %s takes no codes, so it has no value mappings.") % key)
        for own, code in values.items():
            if code_list and code not in vocab.codes.get(code_list, ()):
                errors.append(
                    _("%(column)s: “%(value)s” maps to %(code)s, which is not a code of %(list)s.")
                    % {"column": column, "value": own, "code": code, "list": code_list}
                )
        cleaned.append((column, key, separator, values))
    if not cleaned and not errors:
        errors.append(_("Map at least one column."))
    if not 0 <= skip_rows <= 20:
        errors.append(_("Skip between 0 and 20 rows under the header."))
    if len(id_column) > 200:
        errors.append(_("The identifier column's name is too long."))
    if errors:
        raise ValidationError(errors)
    if profile is None:
        profile = MappingProfile(organisation=organisation)
        action = "standard.profile_created"
    else:
        action = "standard.profile_changed"
    profile.name, profile.description, profile.updated_by = name, description.strip(), actor
    profile.id_column, profile.skip_rows = id_column.strip(), skip_rows
    profile.save()
    profile.columns.all().delete()
    fields = {f.key: f for f in Field.objects.filter(key__in=[c[1] for c in cleaned])}
    ColumnMapping.objects.bulk_create(
        ColumnMapping(profile=profile, column=c, field=fields[k], separator=s, values=v, order=i)
        for i, (c, k, s, v) in enumerate(cleaned)
    )
    audit.record(
        action=action,
        actor=actor,
        organisation=organisation,
        target=profile,
        detail={"name": name, "columns": len(cleaned)},
    )
    return profile


@transaction.atomic
def delete_profile(profile: MappingProfile, actor: User) -> None:
    if not access.can_manage_profiles(actor, profile.organisation):
        raise PermissionDenied("keep this organisation's mapping profiles")
    audit.record(
        action="standard.profile_deleted",
        actor=actor,
        organisation=profile.organisation,
        detail={"name": profile.name},
    )
    profile.delete()
