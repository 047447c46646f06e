"""Importing case law from UNODC's SHERLOC human-trafficking case law database, in the layout
of the table a public project compiled of 181 US cases (``HumanTrafficking_CLDB.csv``: one row
a case, columns ``WebOrder``, ``Case``, ``Court`` ... ``ForeignNationality``).

The table was typed by hand, so its category wording varies ("Recruitment/Hiring", "Threat or
use of other forms of coercion", "Internal; Organized Criminal Group", "Yes*", "NA", dates as
``7/1/15`` or the placeholder ``YYYY-MM-DD``, fact summaries repeated twice joined by "; ").
:func:`read_cases` maps that wording to the knowledge base's codes (tables below) and lists
every wording it could not map; nothing is dropped silently: a sector or a number of victims
it cannot code is kept as written (``sectors``, ``victims_note``), and other wording it cannot
code is kept at the end of the case's commentary. Wording typed in the wrong column (the means in
the purposes column, a purpose among the sectors) is coded where it belongs when it matches one
other column's wording exactly, and the move is noted in the commentary and the report.

:func:`import_file` saves every case through :func:`services.save_resource`, published, in one
transaction: a file that breaks half-way imports nothing. Each case is found again by its
``source_key`` (``sherloc:<WebOrder>``), so that importing the same file again changes nothing.
SHERLOC's own case id (``Case``, e.g. USA178) is kept as the case number, so that it shows on
the case's page and a search finds it; the report lists the ids and links the table gives to
more than one row.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import IO

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from palermo.accounts.models import Organisation, User
from palermo.geo.models import Country
from palermo.knowledge import services, vocabulary
from palermo.knowledge.models import Form, Kind, Party, Resource, Status

SOURCE_PREFIX = "sherloc:"
COUNTRY = "US"
CHILDREN = "children"  # the standard's target group (palermo.standard.interventions)
EXPLOITATION, TARGET_GROUP = vocabulary.EXPLOITATION, vocabulary.TARGET_GROUP

# The columns read; a table without every one of them is not this layout.
COLUMNS = (
    "WebOrder",
    "Case",
    "Court",
    "Name",
    "VerdictDate",
    "Place",
    "FactSummary",
    "Link",
    "CommentarySignificantFeatures",
    "Offences",
    "ExploitationSector",
    "ActsInvolved",
    "MeansUsed",
    "ExploitativePurposes",
    "FormOfTrafficking",
    "NumberVictims",
    "MinorsIncluded",
    "FemaleVictim(s)",
    "MaleVictim(s)",
    "FemaleDefendant(s)",
    "MaleDefendant(s)",
    "AmericanNationality",
    "ForeignNationality",
)

# -- Mapping tables ---------------------------------------------------------------------------
# Keys are compared after _norm(): lower case, single spaces, no "*" (the compiler's marker,
# never explained) and no trailing punctuation. A cell holds several values separated by ";" or
# line breaks; a value glued to the next one without a separator ("...coercionAbduction") is
# still read when the whole text is made of known wordings.

# Empty, "NA", "N/A", "?": the source does not say. Not a wording to map.
NOT_STATED = frozenset({"", "na", "n/a", "?"})
UNKNOWN_DATES = NOT_STATED | {"yyyy-mm-dd"}  # the table's placeholder

ACT_WORDS: dict[str, tuple[str, ...]] = {
    "recruitment": ("recruitment",),
    "recruitment/hiring": ("recruitment",),
    "hiring": ("recruitment",),
    "transportation": ("transportation",),
    "transport": ("transportation",),
    "transfer": ("transfer",),
    "harbouring": ("harbouring",),
    "harboring": ("harbouring",),
    "receipt": ("receipt",),
}
# SHERLOC codes "abuse of power or of a position of vulnerability" as one means, which the
# knowledge base splits in two: the case is coded with both, as a search for either should
# find it.
MEANS_WORDS: dict[str, tuple[str, ...]] = {
    "threat or use of force or other forms of coercion": ("threat_force",),
    "threat or use of other forms of coercion": ("threat_force",),
    "threat or use of force": ("threat_force",),
    "threat": ("threat_force",),
    "abduction": ("abduction",),
    "fraud": ("fraud",),
    "deception": ("deception",),
    "abuse of power or a position of vulnerability": ("abuse_of_power", "abuse_of_vulnerability"),
    "abuse of power or of a position of vulnerability": (
        "abuse_of_power",
        "abuse_of_vulnerability",
    ),
    "abuse of power": ("abuse_of_power",),
    "abuse of a position of vulnerability": ("abuse_of_vulnerability",),
    "giving or receiving payments or benefits to achieve the consent of a person having "
    "control over another person": ("payments",),
}
PURPOSE_WORDS: dict[str, tuple[str, ...]] = {
    "exploitation of the prostitution of others or other forms of sexual exploitation": (
        "sexual_exploitation",
    ),
    "sexual exploitation": ("sexual_exploitation",),
    "forced labour or services": ("forced_labour",),
    "forced labor or services": ("forced_labour",),
    "slavery or practices similar to slavery": ("slavery",),
    "servitude": ("servitude",),
    "removal of organs": ("organ_removal",),
    "other": ("other",),
}
# "Organized Criminal Group" is SHERLOC's mark that a criminal group was involved, not a form of
# trafficking: it stays unmapped, kept in the commentary.
FORM_WORDS: dict[str, tuple[str, ...]] = {
    "internal": (Form.DOMESTIC.value,),
    "domestic": (Form.DOMESTIC.value,),
    "transnational": (Form.TRANSNATIONAL.value,),
    "international": (Form.TRANSNATIONAL.value,),
}
# SHERLOC's sectors of exploitation, as the case record spells them.
SECTORS: dict[str, str] = {
    "agriculture": "Agriculture",
    "begging": "Begging",
    "commercial sexual exploitation": "Commercial sexual exploitation",
    "construction": "Construction",
    "domestic servitude": "Domestic servitude",
    "factory/manufacturing": "Factory/Manufacturing",
    "hair/beauty salon": "Hair/Beauty Salon",
    "hotel/restaurant/bar": "Hotel/Restaurant/Bar",
    "other sectors": "Other sectors",
}
SECTOR_WORDS: dict[str, tuple[str, ...]] = {key: (label,) for key, label in SECTORS.items()}
# A sector that says the purpose on its own, for the cases that state no purpose: the purpose is
# implied (the sector stays a sector).
SECTOR_PURPOSE = {"Commercial sexual exploitation": "sexual_exploitation"}


@dataclass(frozen=True)
class Column:
    """A column whose wording is mapped: its table, and whether a wording no code matches is
    kept as written (a sector) or only noted in the commentary (a code list's column)."""

    words: dict[str, tuple[str, ...]]
    keeps_unknown: bool = False


MAPPED: dict[str, Column] = {
    "ActsInvolved": Column(ACT_WORDS),
    "MeansUsed": Column(MEANS_WORDS),
    "ExploitativePurposes": Column(PURPOSE_WORDS),
    "FormOfTrafficking": Column(FORM_WORDS),
    "ExploitationSector": Column(SECTOR_WORDS, keeps_unknown=True),
}
# Wording the table types in another column than its own, each one found in it: (column written
# in, wording) -> the column it is coded in, by that column's table. Only these move: a short,
# generic word ("Other", "Domestic", "Threat") means something else in another column.
MISPLACED: dict[tuple[str, str], str] = {
    # WebOrder 60: the means among the purposes, "Transnational" among the means.
    ("ExploitativePurposes", "threat or use of force or other forms of coercion"): "MeansUsed",
    ("ExploitativePurposes", "abuse of power or a position of vulnerability"): "MeansUsed",
    ("MeansUsed", "transnational"): "FormOfTrafficking",
    # WebOrders 53, 83 and 113: the purposes among the sectors.
    (
        "ExploitationSector",
        "exploitation of the prostitution of others or other forms of sexual exploitation",
    ): "ExploitativePurposes",
    ("ExploitationSector", "forced labour or services"): "ExploitativePurposes",
    ("ExploitationSector", "slavery or practices similar to slavery"): "ExploitativePurposes",
    ("ExploitationSector", "servitude"): "ExploitativePurposes",
}
YES = frozenset({"yes", "y"})
NO = frozenset({"no", "n"})
CHILD_OFFENCE = "trafficking in children"

MAX_TITLE, MAX_TEXT = 1000, 20_000  # what services.save_resource keeps of a title, an abstract
MAX_LINK = 500  # CaseLaw.source_url
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SPACES = re.compile(r"\s+")
_SEPARATORS = re.compile(r"[;\n\r]+")
_NUMBER = re.compile(r"\d+")
# "10+", "50+*", "At least 12 individuals...": at least that many.
_AT_LEAST = re.compile(r"(\d{1,9})\s*\+|at least (\d{1,9})\b.*", re.IGNORECASE | re.DOTALL)
_US_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{2}|\d{4})")
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_URL = URLValidator(schemes=["http", "https"])


class SherlocError(Exception):
    """The file cannot be read as a SHERLOC case-law table; the message says why."""


@dataclass
class Duplicate:
    """A SHERLOC case id or link the table gives to more than one row."""

    row: int
    key: str
    column: str  # "Case" or "Link"
    value: str
    first_key: str  # the first row that gave it


@dataclass
class CaseRow:
    """One row read: what to save, or why it cannot be (``problem``), and the wording of its
    cells that no code matched, as (column, wording)."""

    number: int  # as a spreadsheet numbers rows: the header is row 1
    key: str
    data: services.ResourceData | None
    problem: str = ""
    unmapped: list[tuple[str, str]] = field(default_factory=list)
    # (column written in, wording as written, column coded in)
    moved: list[tuple[str, str, str]] = field(default_factory=list)
    # (column written in, wording as written, column a code is implied in)
    implied: list[tuple[str, str, str]] = field(default_factory=list)
    case_id: str = ""  # SHERLOC's Case
    link: str = ""
    duplicates: list[Duplicate] = field(default_factory=list)


@dataclass
class Refusal:
    row: int
    key: str
    reason: str


@dataclass
class Report:
    read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    refused: list[Refusal] = field(default_factory=list)
    # (column, wording as written) -> number of the cases imported (or unchanged) saying it
    unmapped: Counter[tuple[str, str]] = field(default_factory=Counter)
    # (column written in, wording, column coded in) -> number of the cases
    moved: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    # (column, wording, column a code is implied in) -> number of the cases
    implied: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    duplicates: list[Duplicate] = field(default_factory=list)

    def unmapped_by_column(self) -> dict[str, list[tuple[str, int]]]:
        found: dict[str, list[tuple[str, int]]] = {}
        for (column, wording), count in sorted(self.unmapped.items()):
            found.setdefault(column, []).append((wording, count))
        return found


# -- Reading ----------------------------------------------------------------------------------


def read_cases(stream: IO[str]) -> Iterator[CaseRow]:
    """The cases of a SHERLOC table read from a text stream (opened with ``newline=""``), one
    at a time. Raises :class:`SherlocError` when the stream is not that table (other columns,
    not UTF-8, a row cut short)."""
    reader = csv.DictReader(stream, restkey="\0extra")
    try:
        header = reader.fieldnames
        if not header:
            raise SherlocError(_("The file is empty."))
        names = {(name or "").strip().lstrip("\ufeff") for name in header}
        missing = [column for column in COLUMNS if column not in names]
        if missing:
            raise SherlocError(
                _(
                    "This is not a SHERLOC case-law table: the columns %(missing)s are missing "
                    "(found %(found)s)."
                )
                % {
                    "missing": _some(missing),
                    "found": _some([n for n in header if n]) or _("no column names"),
                }
            )
        reader.fieldnames = [(name or "").strip().lstrip("\ufeff") for name in header]
        seen: dict[str, int] = {}
        given: dict[tuple[str, str], str] = {}  # (column, value) -> the first key giving it
        for number, cells in enumerate(reader, start=2):
            if "\0extra" in cells or any(value is None for value in cells.values()):
                raise SherlocError(
                    _(
                        "Row %(row)d does not have one cell per column (%(n)d columns): the "
                        "file is cut short or its quotes are broken."
                    )
                    % {"row": number, "n": len(header)}
                )
            case = to_case(number, cells)
            if case.data is not None and case.key in seen:
                case.data = None
                case.problem = _("WebOrder %(order)s was already read in row %(first)d.") % {
                    "order": case.key.removeprefix(SOURCE_PREFIX),
                    "first": seen[case.key],
                }
            if case.data is not None:
                seen[case.key] = number
                _note_duplicates(case, given)
            yield case
    except UnicodeDecodeError as error:
        raise SherlocError(
            _("The file is not UTF-8 text (near line %(line)d): save it as CSV in UTF-8.")
            % {"line": reader.line_num + 1}
        ) from error
    except csv.Error as error:
        raise SherlocError(
            _("The file is not a readable CSV table (line %(line)d: %(error)s).")
            % {"line": reader.line_num, "error": error}
        ) from error


def _note_duplicates(case: CaseRow, given: dict[tuple[str, str], str]) -> None:
    """Note on a case the SHERLOC id or link an earlier row already gave (rows 44 and 101 of
    the shared table share USA174 and its link): one of them points to another case."""
    if case.data is None or case.data.case_law is None:
        return
    same: list[str] = []
    for column, value in (("Case", case.case_id), ("Link", case.link)):
        if not value:
            continue
        first = given.setdefault((column, value), case.key)
        if first != case.key:
            case.duplicates.append(Duplicate(case.number, case.key, column, value, first))
            same.append(first.removeprefix(SOURCE_PREFIX))
    if same:
        what = " and ".join(d.column.replace("Case", "case id").lower() for d in case.duplicates)
        note = (
            f"SHERLOC gives this case the same {what} as WebOrder {same[0]}: one of the two "
            "may point to another case."
        )
        commentary = case.data.case_law["commentary"]
        case.data.case_law["commentary"] = f"{commentary}\n\n{note}" if commentary else note


def to_case(number: int, cells: dict[str, str]) -> CaseRow:
    """One row of the table as a case-law resource."""
    unmapped: list[tuple[str, str]] = []
    order = _text(cells["WebOrder"])
    key = f"{SOURCE_PREFIX}{order}" if order else ""
    court = _text(cells["Court"])
    if _norm(court) in NOT_STATED:
        court = ""  # four real cases name no court ("*"): imported with the court not stated
    if not order:
        problem = _("No WebOrder: it identifies the case on the next import.")
        return CaseRow(number, key, None, problem)

    uncoded: list[str] = []  # wording kept at the end of the commentary
    moved: list[tuple[str, str, str]] = []
    found: dict[str, list[str]] = {column: [] for column in MAPPED}
    for column, entry in MAPPED.items():
        for piece in _pieces(cells[column]):
            wording = _norm(piece)
            if wording in NOT_STATED:
                continue
            into = MISPLACED.get((column, wording), column)
            codes = _cover(wording, MAPPED[into].words)
            if codes is None:
                unmapped.append((column, piece))
                if entry.keeps_unknown:
                    codes = [piece]
                else:
                    uncoded.append(f"{column}: {piece}")
                    codes = []
            elif into != column:
                moved.append((column, piece, into))
            found[into] += [code for code in codes if code not in found[into]]

    def ordered(column: str, known: list[str]) -> list[str]:
        return [code for code in known if code in found[column]]  # the vocabulary's order

    acts = ordered("ActsInvolved", list(vocabulary.ACTS))
    means = ordered("MeansUsed", list(vocabulary.MEANS))
    purposes = ordered("ExploitativePurposes", list(vocabulary.PURPOSES))
    forms = ordered("FormOfTrafficking", [Form.DOMESTIC.value, Form.TRANSNATIONAL.value])
    form = Form.BOTH.value if len(forms) == 2 else (forms[0] if forms else "")
    sectors = found["ExploitationSector"]  # as the table lists them
    implied: list[tuple[str, str, str]] = []  # (column, wording, column it implies a code in)
    from_sectors = {SECTOR_PURPOSE.get(sector) for sector in sectors}
    if not purposes and len(from_sectors) == 1 and None not in from_sectors:
        purposes = [str(from_sectors.pop())]
        implied.append(("ExploitationSector", sectors[0], "ExploitativePurposes"))

    decided = _date(cells["VerdictDate"])
    if decided is None and _norm(cells["VerdictDate"]) not in UNKNOWN_DATES:
        wording = _text(cells["VerdictDate"])
        unmapped.append(("VerdictDate", wording))
        uncoded.append(f"VerdictDate: {wording}")

    victims, victims_note = _victims(cells["NumberVictims"])
    if victims is None and victims_note:
        unmapped.append(("NumberVictims", victims_note))

    flags: dict[str, bool | None] = {}
    for column in PARTY_COLUMNS:
        flag = _flag(cells[column])
        if flag is None and _norm(cells[column]) not in NOT_STATED:
            wording = _text(cells[column])
            unmapped.append((column, wording))
            uncoded.append(f"{column}: {wording}")
        flags[column] = flag

    link = _text(cells["Link"])
    if link and not _is_url(link):
        unmapped.append(("Link", link[:100]))
        uncoded.append(f"Link: {link[:300]}")
        link = ""

    charges = "; ".join(
        piece for piece in _pieces(cells["Offences"]) if _norm(piece) not in NOT_STATED
    )
    summary = _once(_text(cells["FactSummary"]))[:MAX_TEXT].strip()
    commentary = _text(cells["CommentarySignificantFeatures"])
    if _norm(commentary) in NOT_STATED:
        commentary = ""
    if moved:
        note = "Coded on import from another column of SHERLOC's record: " + "; ".join(
            f"{wording} ({column}) as {into}" for column, wording, into in moved
        )
        commentary = f"{commentary}\n\n{note}." if commentary else f"{note}."
    if implied:
        note = "Coded on import as implied by another column of SHERLOC's record: " + "; ".join(
            f"{wording} ({column}) implies {into}" for column, wording, into in implied
        )
        commentary = f"{commentary}\n\n{note}." if commentary else f"{note}."
    if uncoded:
        note = "Not coded on import, as SHERLOC words it: " + "; ".join(uncoded) + "."
        commentary = f"{commentary}\n\n{note}" if commentary else note

    name = _text(cells["Name"])
    case_id = _SPACES.sub(" ", _text(cells["Case"]))
    place = _SPACES.sub(" ", _text(cells["Place"]))
    minors = flags["MinorsIncluded"] is True or CHILD_OFFENCE in charges.lower()
    data = services.ResourceData(
        kind=Kind.CASE_LAW,
        title={
            "en": (", ".join(part for part in (name, court) if part) or key)[:MAX_TITLE].strip()
        },
        abstract={"en": summary} if summary else {},
        year=decided.year if decided else None,
        url=link,
        codes={
            vocabulary.COUNTRY: {COUNTRY},
            vocabulary.EXPLOITATION: {vocabulary.PURPOSE_EXPLOITATION[p] for p in purposes},
            vocabulary.TARGET_GROUP: {CHILDREN} if minors else set(),
        },
        case_law={
            "country_id": COUNTRY,
            "court": court[:300],
            "case_number": f"SHERLOC {case_id}"[:200] if case_id else "",
            "decision_date": decided,
            "place": "" if _norm(place) in NOT_STATED else place[:200],
            "fact_summary": summary,
            "acts": acts,
            "means": means,
            "purposes": purposes,
            "sectors": sectors,
            "form": form,
            "victims": victims,
            "victims_note": victims_note[:300],
            "charges": charges,
            "commentary": commentary,
            "source_url": link,
        },
        parties=_parties(flags),
        source_key=key,
    )
    return CaseRow(
        number,
        key,
        data,
        unmapped=unmapped,
        moved=moved,
        implied=implied,
        case_id=case_id,
        link=link,
    )


# Presence columns -> the party they speak of. "Yes" is a party of unknown size (count None),
# "No" one of none (count 0); "NA" or empty, no party. SHERLOC's nationality columns speak of
# the victims (a US defendant's Peruvian victim reads "American: No, Foreign: Yes").
_VICTIM, _DEFENDANT, _ANY = Party.Role.VICTIM.value, Party.Role.DEFENDANT.value, ""
PARTY_COLUMNS: dict[str, tuple[str, str, str, str]] = {
    "FemaleVictim(s)": (_VICTIM, Party.Sex.FEMALE.value, _ANY, _ANY),
    "MaleVictim(s)": (_VICTIM, Party.Sex.MALE.value, _ANY, _ANY),
    "MinorsIncluded": (_VICTIM, _ANY, Party.Age.MINOR.value, _ANY),
    "AmericanNationality": (_VICTIM, _ANY, _ANY, Party.Nationality.NATIONAL.value),
    "ForeignNationality": (_VICTIM, _ANY, _ANY, Party.Nationality.FOREIGN.value),
    "FemaleDefendant(s)": (_DEFENDANT, Party.Sex.FEMALE.value, _ANY, _ANY),
    "MaleDefendant(s)": (_DEFENDANT, Party.Sex.MALE.value, _ANY, _ANY),
}


def _parties(flags: dict[str, bool | None]) -> list[tuple[str, str, str, str, int | None]]:
    return [
        (role, sex, age, nationality, None if flags[column] else 0)
        for column, (role, sex, age, nationality) in PARTY_COLUMNS.items()
        if flags[column] is not None
    ]


def _some(names: list[str], shown: int = 6) -> str:
    if len(names) <= shown:
        return ", ".join(names)
    return _("%(names)s and %(n)d more") % {
        "names": ", ".join(names[:shown]),
        "n": len(names) - shown,
    }


def _text(value: str | None) -> str:
    return _CONTROL.sub("", value or "").strip()


def _norm(value: str) -> str:
    value = _SPACES.sub(" ", value.replace("*", " ").lower())
    return value.strip(" .,;:")


def _pieces(cell: str) -> list[str]:
    """The values of a cell, as written (trimmed), without the empty ones."""
    return [p for p in (_text(p) for p in _SEPARATORS.split(cell or "")) if _norm(p)]


def _cover(wording: str, table: dict[str, tuple[str, ...]]) -> list[str] | None:
    """The codes of a wording made wholly of the table's wordings, longest first; None when
    any part of it is not in the table."""
    wording = wording.strip(" .,;:")
    if not wording:
        return []
    if wording in table:
        return list(table[wording])
    for known in sorted(table, key=len, reverse=True):
        if wording.startswith(known):
            rest = _cover(wording[len(known) :], table)
            if rest is not None:
                return [*table[known], *rest]
    return None


def _once(summary: str) -> str:
    """A fact summary without its repetition: "A; A" (any spacing) is A."""
    for match in re.finditer(r";\s*", summary):
        left, right = summary[: match.start()].strip(), summary[match.end() :].strip()
        if left and _SPACES.sub(" ", left) == _SPACES.sub(" ", right):
            return _once(left)
    return summary


def _is_url(text: str) -> bool:
    if len(text) > MAX_LINK:
        return False
    try:
        _URL(text)
    except ValidationError:
        return False
    return True


def _date(cell: str) -> date | None:
    """``M/D/YY`` (the table's dates; a two-digit year is in this century unless that would
    be in the future), ``M/D/YYYY`` or ``YYYY-MM-DD``; None for anything else."""
    text = _text(cell).rstrip("*").strip()
    try:
        if found := _US_DATE.fullmatch(text):
            month, day, year = (int(g) for g in found.groups())
            if year < 100:
                this_year = timezone.now().year
                year += 2000 if 2000 + year <= this_year else 1900
            return date(year, month, day)
        if found := _ISO_DATE.fullmatch(text):
            return date(*(int(g) for g in found.groups()))
    except ValueError:  # 2/30/09
        return None
    return None


def _victims(cell: str) -> tuple[int | None, str]:
    """(number, the words as written when they are not just a number): "12" is 12; "3*" is 3,
    noted "3*"; "10+", "50+*" and "At least 12 individuals..." are at least that many, the
    number kept with the words as written; "Several teenage girls*" is no number, noted as
    written."""
    text = _SPACES.sub(" ", _text(cell))
    if _norm(text) in NOT_STATED:
        return None, ""
    bare = text.rstrip("*").strip()
    if _NUMBER.fullmatch(bare) and len(bare) <= 9:
        return int(bare), "" if bare == text else text
    if found := _AT_LEAST.fullmatch(bare):
        return int(found.group(1) or found.group(2)), text
    return None, text


def _flag(cell: str) -> bool | None:
    wording = _norm(cell)
    if wording in YES:
        return True
    if wording in NO:
        return False
    return None


# -- Importing --------------------------------------------------------------------------------


def import_file(
    path: str | Path,
    *,
    organisation: Organisation,
    actor: User | None = None,
    progress: Callable[[CaseRow, str], None] | None = None,
) -> Report:
    """Import a SHERLOC table as published case law of ``organisation``, all or nothing: a
    file that cannot be read raises :class:`SherlocError` and writes nothing. Rows that cannot
    be saved (no court...) are refused in the report, the others imported. A case already
    imported is changed only when the file says something else of it. ``progress`` is called
    after each row with the row and its outcome (created, updated, unchanged or refused)."""
    path = Path(path)
    if not path.is_file():
        raise SherlocError(_("There is no file %(path)s.") % {"path": path})
    if not all(vocabulary.names(kind, "en") for kind in (EXPLOITATION, TARGET_GROUP)):
        raise SherlocError(_("The data standard is not loaded: run manage.py load_standard first."))
    if not Country.objects.filter(iso2=COUNTRY).exists():
        raise SherlocError(_("The countries are not loaded: run manage.py load_geo first."))
    report = Report()
    try:
        with path.open(encoding="utf-8-sig", newline="") as stream, transaction.atomic():
            for case in read_cases(stream):
                report.read += 1
                outcome = _import_case(case, organisation, actor, report)
                if outcome != "refused":
                    report.unmapped.update(case.unmapped)
                    report.moved.update(case.moved)
                    report.implied.update(case.implied)
                    report.duplicates += case.duplicates
                if progress is not None:
                    progress(case, outcome)
    except OSError as error:
        raise SherlocError(
            _("The file %(path)s cannot be read (%(error)s).")
            % {"path": path, "error": error.strerror or error}
        ) from error
    return report


def _import_case(
    case: CaseRow, organisation: Organisation, actor: User | None, report: Report
) -> str:
    def refuse(reason: str) -> str:
        report.refused.append(Refusal(case.number, case.key, reason))
        return "refused"

    if case.data is None:
        return refuse(case.problem)
    existing = Resource.objects.filter(source_key=case.key).select_related("contributor").first()
    if existing is not None and existing.contributor_id != organisation.pk:
        return refuse(
            _("This case was imported by %(org)s; it is theirs to update.")
            % {"org": existing.contributor.acronym}
        )
    if existing is not None:
        _keep_what_the_file_does_not_own(existing, case.data)
    try:
        saved = services.write_resource(
            actor=actor,
            organisation=organisation,
            data=case.data,
            resource=existing,
            publish=True,
        )
    except ValidationError as error:
        return refuse(" ".join(error.messages))
    if existing is None:
        report.created += 1
        return "created"
    if not saved.changed:
        report.unchanged += 1
        return "unchanged"
    report.updated += 1
    if saved.resource.status == Status.SUBMITTED:
        return "updated, waiting for review"
    if saved.resource.status != Status.PUBLISHED:
        return "updated, not published"
    return "updated"


# The codes an import decides; reviewers' other codes (themes, target groups other than
# children, articles, regions) are kept on a re-import.
IMPORT_OWNS = frozenset({vocabulary.COUNTRY, vocabulary.EXPLOITATION})


def _keep_what_the_file_does_not_own(resource: Resource, data: services.ResourceData) -> None:
    """A re-import never widens who sees a case (a case restricted to members stays so) and
    keeps the codes people added to it."""
    data.is_public = resource.is_public
    for code in resource.codes.exclude(kind__in=IMPORT_OWNS):
        if code.kind in vocabulary.DERIVED_KINDS:
            continue  # derived from the titles, the publishers and the other fields
        data.codes.setdefault(code.kind, set()).add(code.code)
