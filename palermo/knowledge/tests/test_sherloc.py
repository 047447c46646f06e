"""Importing UNODC SHERLOC case law: the 181 US cases of the shared table as coded case law,
its inconsistent wording mapped to codes (what maps to none counted and kept), an import that
changes nothing when repeated, and files that are not this table refused with nothing written."""

from __future__ import annotations

import csv
import io
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from palermo.knowledge import selectors, sherloc
from palermo.knowledge.models import CaseLaw, Kind, Party, Resource, ResourceCode, Status

pytestmark = pytest.mark.django_db

SHARED_DATA = Path(settings.PALERMO_STANDARDS_DIR).parent / "data"
SHERLOC = SHARED_DATA / "unodc-sherloc-case-law-us" / "HumanTrafficking_CLDB.csv"
needs_sherloc = pytest.mark.skipif(
    not SHERLOC.is_file(), reason=f"The shared SHERLOC table is not at {SHERLOC}."
)

HEADER = [
    "WebOrder", "Case", "Court", "CourtJoinName", "Name", "VerdictDate", "Place", "FactSummary",
    "Link", "CommentarySignificantFeatures", "Offences", "ExploitationSector", "ActsInvolved",
    "MeansUsed", "ExploitativePurposes", "FormOfTrafficking", "NumberVictims", "MinorsIncluded",
    "FemaleVictim(s)", "MaleVictim(s)", "FemaleDefendant(s)", "MaleDefendant(s)",
    "AmericanNationality", "ForeignNationality",
]  # fmt: skip
BASE = {
    "WebOrder": "1",
    "Case": "USA001",
    "Court": "U.S. District Court for the District of Maryland",
    "CourtJoinName": "Maryland",
    "Name": "United States v. Example",
    "VerdictDate": "3/5/08",
    "Place": "MD",
    "FactSummary": "The defendant recruited two women with false promises of work.",
    "Link": "https://www.unodc.org/cld/case-law-doc/example.html",
    "CommentarySignificantFeatures": "NA",
    "Offences": "Trafficking in persons (adults)",
    "ExploitationSector": "Agriculture",
    "ActsInvolved": "Recruitment",
    "MeansUsed": "Deception",
    "ExploitativePurposes": "Forced labour or services",
    "FormOfTrafficking": "Transnational",
    "NumberVictims": "2",
    "MinorsIncluded": "No",
    "FemaleVictim(s)": "Yes",
    "MaleVictim(s)": "No",
    "FemaleDefendant(s)": "No",
    "MaleDefendant(s)": "Yes",
    "AmericanNationality": "No",
    "ForeignNationality": "Yes",
}


def table(*rows: dict[str, str], header: list[str] = HEADER) -> str:
    """A SHERLOC table: each row is BASE changed by the given cells (numbered 1, 2...)."""
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=header, lineterminator="\r\n")
    writer.writeheader()
    for number, changes in enumerate(rows, start=1):
        writer.writerow({**BASE, "WebOrder": str(number), **changes})
    return out.getvalue()


def write(tmp_path: Path, text: str, name: str = "cases.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def read(text: str) -> list[sherloc.CaseRow]:
    return list(sherloc.read_cases(io.StringIO(text, newline="")))


def imported(source_key: str) -> CaseLaw:
    return CaseLaw.objects.select_related("resource").get(resource__source_key=source_key)


def parties(case: CaseLaw) -> set[tuple[str, str, str, str, int | None]]:
    return {(p.role, p.sex, p.age, p.nationality, p.count) for p in case.parties.all()}


def codes(resource: Resource, kind: str) -> set[str]:
    return set(resource.codes.filter(kind=kind).values_list("code", flat=True))


# -- The shared table ---------------------------------------------------------------------------


@needs_sherloc
def test_the_sherloc_table_imports_as_published_case_law(world) -> None:  # type: ignore[no-untyped-def]
    report = sherloc.import_file(SHERLOC, organisation=world.host)

    assert report.read == 181
    assert (report.created, report.updated, report.unchanged) == (181, 0, 0)
    assert report.refused == []
    cases = Resource.objects.filter(kind=Kind.CASE_LAW, source_key__startswith="sherloc:")
    assert cases.count() == 181
    assert CaseLaw.objects.count() == 181
    # Four rows name no court (the cell holds "*"): imported with the court not stated.
    unnamed = CaseLaw.objects.get(resource__source_key="sherloc:35")
    assert unnamed.court == ""
    assert unnamed.resource.title["en"] == "United States v. Jerome E. Todd"
    assert set(cases.values_list("status", "contributor", "is_public").distinct()) == {
        (Status.PUBLISHED, world.host.pk, True)
    }

    # Row 2 (WebOrder 1): "Recruitment/Hiring; Transfer", "Internal", "Several teenage girls*",
    # date "YYYY-MM-DD", its fact summary written twice joined by "; ".
    first = imported("sherloc:1")
    resource = first.resource
    assert resource.title == {
        "en": "Case 1314, U.S. District Court for the Central District of California"
    }
    assert resource.year is None
    assert first.decision_date is None
    assert first.court == "U.S. District Court for the Central District of California"
    assert first.case_number == "SHERLOC USA178"  # SHERLOC's own id (its Case column)
    assert first.place == "CA"
    assert first.acts == ["recruitment", "transfer"]
    assert first.means == ["threat_force"]
    assert first.purposes == ["sexual_exploitation"]
    assert first.sectors == []  # "NA"
    assert first.form == "domestic"
    assert (first.victims, first.victims_note) == (None, "Several teenage girls*")
    assert first.charges == "Trafficking in children (under 18 years)"
    assert first.commentary == ""
    assert first.fact_summary.count("pepper-sprayed") == 1
    assert first.fact_summary.startswith("The defendants were members of a child prostitution")
    assert first.fact_summary.endswith("prosecuted the case.")
    assert resource.abstract == {"en": first.fact_summary}
    assert resource.url == first.source_url
    assert first.source_url.endswith("/usa/case_1314.html?lng=en&tmpl=htms")
    assert first.country_id == "US"
    assert codes(resource, "country") == {"US"}
    assert codes(resource, "ctdc_exploitation") == {"SexualExploitation"}
    assert codes(resource, "target_group") == {"children"}
    # Minors: Yes, female victims: Yes, male victims: No, female and male defendants: Yes,
    # American: Yes, foreign: No.
    assert parties(first) == {
        ("victim", "female", "", "", None),
        ("victim", "male", "", "", 0),
        ("victim", "", "minor", "", None),
        ("victim", "", "", "national", None),
        ("victim", "", "", "foreign", 0),
        ("defendant", "female", "", "", None),
        ("defendant", "male", "", "", None),
    }

    # Row 24 (WebOrder 23): a 2011 appeal, a Peruvian domestic worker held in servitude.
    dann = imported("sherloc:23")
    assert dann.resource.title == {
        "en": "United States v. Dann, U.S. Court of Appeals for the Ninth Circuit"
    }
    assert dann.decision_date == date(2011, 7, 22)
    assert dann.resource.year == 2011
    assert dann.acts == ["recruitment", "harbouring"]
    assert dann.means == ["threat_force", "deception", "abuse_of_power", "abuse_of_vulnerability"]
    assert dann.purposes == ["servitude"]
    assert dann.sectors == ["Domestic servitude"]
    assert dann.form == "transnational"
    assert (dann.victims, dann.victims_note) == (1, "")
    assert dann.charges == ""  # "NA"
    assert dann.commentary.startswith("The Circuit Court discussed the forced labour conviction")
    assert codes(dann.resource, "ctdc_exploitation") == {"SlaveryAndPractices"}
    assert codes(dann.resource, "target_group") == set()
    assert ("victim", "", "", "foreign", None) in parties(dann)
    assert ("defendant", "male", "", "", 0) in parties(dann)

    # Row 31 (WebOrder 30): victims "3*", place "?", acts "NA", two sectors.
    cha = imported("sherloc:30")
    assert (cha.victims, cha.victims_note) == (3, "3*")
    assert cha.place == ""
    assert cha.acts == []
    assert cha.sectors == ["Commercial sexual exploitation", "Hotel/Restaurant/Bar"]

    # Row 101 (WebOrder 100): two means glued without a separator ("...coercionAbduction").
    assert imported("sherloc:100").means == [
        "threat_force",
        "abduction",
        "fraud",
        "deception",
        "abuse_of_power",
        "abuse_of_vulnerability",
    ]
    # "Internal; Transnational" is both; "International" transnational; "7/30/81" is 1981.
    assert imported("sherloc:152").form == "both"
    assert imported("sherloc:170").form == "transnational"
    assert imported("sherloc:161").decision_date == date(1981, 7, 30)

    # "Organized Criminal Group" is no form of trafficking: counted, kept in the commentary.
    assert report.unmapped[("FormOfTrafficking", "Organized Criminal Group")] == 15
    assert report.unmapped[("FormOfTrafficking", "Organized criminal group")] == 4
    jones = imported("sherloc:9")
    assert jones.form == "domestic"
    assert jones.commentary.endswith(
        "Not coded on import, as SHERLOC words it: FormOfTrafficking: Organized Criminal Group."
    )
    assert report.unmapped[("NumberVictims", "Several teenage girls*")] == 1

    # Wording typed in the wrong column is coded where it belongs, the move noted.
    # WebOrder 60: the means are in the purposes column, "Transnational" in the means column,
    # no purpose but the sector "Commercial sexual exploitation".
    flores = imported("sherloc:60")
    assert flores.means == ["threat_force", "abuse_of_power", "abuse_of_vulnerability"]
    assert flores.form == "transnational"
    assert flores.purposes == ["sexual_exploitation"]
    assert flores.sectors == ["Commercial sexual exploitation"]
    assert codes(flores.resource, "ctdc_exploitation") == {"SexualExploitation"}
    assert "Transnational (MeansUsed) as FormOfTrafficking" in flores.commentary
    assert ("MeansUsed", "Transnational", "FormOfTrafficking") in report.moved
    # WebOrder 53: the purposes repeated in the sector column are purposes, not sectors.
    pompee = imported("sherloc:53")
    assert pompee.purposes == ["forced_labour", "slavery", "servitude"]
    assert pompee.sectors == []
    assert "Servitude (ExploitationSector) as ExploitativePurposes" in pompee.commentary
    # WebOrders 60, 136 and 147 state no purpose: their only sector implies it, and stays a
    # sector. Nine values moved, three purposes implied (the report once counted 12 moves).
    case_147 = imported("sherloc:147")
    assert case_147.purposes == ["sexual_exploitation"]
    assert case_147.sectors == ["Commercial sexual exploitation"]
    assert case_147.commentary.endswith(
        "Coded on import as implied by another column of SHERLOC's record: Commercial sexual "
        "exploitation (ExploitationSector) implies ExploitativePurposes."
    )
    assert sum(report.moved.values()) == 9
    assert report.implied == {
        ("ExploitationSector", "Commercial sexual exploitation", "ExploitativePurposes"): 3
    }
    # "10+" is at least ten, the source's words kept.
    williams = imported("sherloc:83")
    assert (williams.victims, williams.victims_note) == (10, "10+")
    assert (imported("sherloc:44").victims, imported("sherloc:101").victims) == (12, 12)

    # Rows 44 and 101 share SHERLOC's id USA174 and its link: reported, noted on the later.
    assert [(d.key, d.column, d.value, d.first_key) for d in report.duplicates] == [
        ("sherloc:101", "Case", "USA174", "sherloc:44"),
        ("sherloc:101", "Link", imported("sherloc:44").source_url, "sherloc:44"),
    ]
    assert imported("sherloc:101").commentary.endswith(
        "SHERLOC gives this case the same case id and link as WebOrder 44: one of the two may "
        "point to another case."
    )

    # The totals docs/knowledge.md gives.
    assert (sum(report.unmapped.values()), len(report.unmapped)) == (41, 20)
    exploitation = Counter(
        ResourceCode.objects.filter(kind="ctdc_exploitation").values_list("code", flat=True)
    )
    assert exploitation == {
        "SexualExploitation": 125,
        "ForcedLabour": 67,
        "SlaveryAndPractices": 31,
        "OtherExploitation": 5,
    }
    assert ResourceCode.objects.filter(kind="target_group", code="children").count() == 110
    assert CaseLaw.objects.filter(purposes=[]).count() == 3
    assert CaseLaw.objects.filter(victims__isnull=False).count() == 154


@needs_sherloc
def test_importing_the_table_again_changes_nothing(world) -> None:  # type: ignore[no-untyped-def]
    sherloc.import_file(SHERLOC, organisation=world.host)
    before = dict(Resource.objects.values_list("source_key", "updated_at"))
    counts = (Resource.objects.count(), CaseLaw.objects.count(), Party.objects.count())

    again = sherloc.import_file(SHERLOC, organisation=world.host)

    assert (again.created, again.updated, again.unchanged, len(again.refused)) == (0, 0, 181, 0)
    assert dict(Resource.objects.values_list("source_key", "updated_at")) == before
    assert (Resource.objects.count(), CaseLaw.objects.count(), Party.objects.count()) == counts


@needs_sherloc
def test_an_imported_case_is_found_by_the_knowledge_search(world, tmp_path, client) -> None:  # type: ignore[no-untyped-def]
    # The header and the first five cases, copied record by record.
    with SHERLOC.open(encoding="utf-8-sig", newline="") as source:
        reader = csv.reader(source)
        out = io.StringIO(newline="")
        writer = csv.writer(out, lineterminator="\r\n")
        for _number, record in zip(range(6), reader, strict=False):
            writer.writerow(record)
    report = sherloc.import_file(write(tmp_path, out.getvalue()), organisation=world.host)
    assert report.created == 5

    public = selectors.published(AnonymousUser())
    found = selectors.find(public, selectors.Filters(q="pepper-sprayed"))
    assert [r.source_key for r in found] == ["sherloc:1"]
    by_court = selectors.find(public, selectors.Filters(q='"Central District of California"'))
    assert "sherloc:1" in {r.source_key for r in by_court}
    children = selectors.find(public, selectors.Filters(kind="case_law", group="children"))
    assert "sherloc:1" in {r.source_key for r in children}
    # SHERLOC's own id finds the case and shows on its page.
    by_id = selectors.find(public, selectors.Filters(q="USA178"))
    assert [r.source_key for r in by_id] == ["sherloc:1"]
    page = client.get(reverse("knowledge:detail", args=[by_id[0].uid]))
    assert "SHERLOC USA178" in page.content.decode()


# -- Wording --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("column", "variants", "expected"),
    [
        (
            "ActsInvolved",
            ["Recruitment", "Recruitment/Hiring", "recruitment\n", " Recruitment;\n\n", "hiring"],
            ["recruitment"],
        ),
        (
            "MeansUsed",
            [
                "Threat or use of force or other forms of coercion",
                "Threat or use of other forms of coercion",
                "Threat",
                "Threat or use of force or other forms of coercion\n",
                "threat or use of force or other forms of coercion*",
            ],
            ["threat_force"],
        ),
        (
            "ExploitativePurposes",
            [
                "Forced labour or services",
                "Forced labor or services\n",
                "forced labour or services",
            ],
            ["forced_labour"],
        ),
    ],
)
def test_variants_of_one_wording_map_to_one_code(column, variants, expected) -> None:  # type: ignore[no-untyped-def]
    rows = read(table(*({column: variant} for variant in variants)))
    field = {"ActsInvolved": "acts", "MeansUsed": "means", "ExploitativePurposes": "purposes"}
    for row in rows:
        assert row.data is not None
        assert row.data.case_law is not None
        assert row.data.case_law[field[column]] == expected, row.number
        assert row.unmapped == []


def test_forms_dates_victims_and_flags_are_read_whatever_the_wording() -> None:
    rows = read(
        table(
            {"FormOfTrafficking": "Internal", "VerdictDate": "7/1/15", "MinorsIncluded": "Yes*"},
            {"FormOfTrafficking": "International", "VerdictDate": "9/22/86", "NumberVictims": "NA"},
            {"FormOfTrafficking": "Internal; \nTransnational", "VerdictDate": "2009-04-01"},
            {"FormOfTrafficking": "NA", "VerdictDate": "YYYY-MM-DD", "NumberVictims": "2+"},
            {"FormOfTrafficking": "", "MaleVictim(s)": "NO", "FemaleVictim(s)": "NA*"},
            {"NumberVictims": "50+*"},
            {"NumberVictims": "At least 12 individuals were trafficked."},
        )
    )
    cases = [row.data.case_law for row in rows if row.data and row.data.case_law]
    assert [c["form"] for c in cases][:5] == ["domestic", "transnational", "both", "", ""]
    assert [c["decision_date"] for c in cases] == [
        date(2015, 7, 1),
        date(1986, 9, 22),
        date(2009, 4, 1),
        None,
        date(2008, 3, 5),
        date(2008, 3, 5),
        date(2008, 3, 5),
    ]
    assert [(c["victims"], c["victims_note"]) for c in cases] == [
        (2, ""),
        (None, ""),
        (2, ""),
        (2, "2+"),
        (2, ""),
        (50, "50+*"),
        (12, "At least 12 individuals were trafficked."),
    ]
    assert rows[0].data is not None
    assert rows[0].data.codes["target_group"] == {"children"}
    assert ("victim", "", "minor", "", None) in rows[0].data.parties
    assert rows[4].data is not None
    assert ("victim", "male", "", "", 0) in rows[4].data.parties
    assert not [p for p in rows[4].data.parties if p[:2] == ("victim", "female")]
    # Only the words that are not a number are unmapped; "NA" and the placeholder are "unknown".
    assert [row.unmapped for row in rows] == [[]] * 7


def test_a_summary_written_twice_is_kept_once() -> None:
    text = "The victim was recruited; she was then held. It lasted a year."
    rows = read(
        table(
            {"FactSummary": f"{text}; {text}"},
            {"FactSummary": f"{text};\n{text}\n"},
            {"FactSummary": text},
        )
    )
    assert [row.data.abstract["en"] for row in rows if row.data] == [text, text, text]


def test_only_the_tables_misplaced_wording_moves_to_another_column() -> None:
    # Generic words that some other column knows stay where they were typed: "Other" means is
    # no purpose, a "Domestic" sector no form of trafficking, a "Threat" act no means.
    (row,) = read(
        table(
            {
                "MeansUsed": "Deception; Other",
                "ActsInvolved": "Recruitment; Threat",
                "ExploitationSector": "Agriculture; Domestic; Other",
                "ExploitativePurposes": "Forced labour or services",
            }
        )
    )
    assert row.moved == []
    assert row.implied == []
    assert set(row.unmapped) == {
        ("MeansUsed", "Other"),
        ("ActsInvolved", "Threat"),
        ("ExploitationSector", "Domestic"),
        ("ExploitationSector", "Other"),
    }
    assert row.data is not None
    case = row.data.case_law
    assert case is not None
    assert (case["acts"], case["means"], case["purposes"]) == (
        ["recruitment"],
        ["deception"],
        ["forced_labour"],
    )
    assert (case["form"], case["sectors"]) == (
        "transnational",
        ["Agriculture", "Domestic", "Other"],
    )
    assert "MeansUsed: Other" in case["commentary"]
    assert "ActsInvolved: Threat" in case["commentary"]


def test_unmapped_wording_is_counted_and_kept_in_the_case(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = write(
        tmp_path,
        table(
            {
                "MeansUsed": "Deception; Transnational",
                "FormOfTrafficking": "Transnational; Organized Criminal Group",
                "ExploitationSector": "Agriculture; Fishing boats",
                "NumberVictims": "Several anonymous women*",
                "CommentarySignificantFeatures": "A first conviction.",
                "VerdictDate": "sometime in 2007",
            },
            {"FormOfTrafficking": "Organized Criminal Group"},
        ),
    )
    report = sherloc.import_file(path, organisation=world.agency)

    assert report.created == 2
    assert report.unmapped == {
        ("FormOfTrafficking", "Organized Criminal Group"): 2,
        ("ExploitationSector", "Fishing boats"): 1,
        ("NumberVictims", "Several anonymous women*"): 1,
        ("VerdictDate", "sometime in 2007"): 1,
    }
    case = imported("sherloc:1")
    assert case.means == ["deception"]
    assert case.form == "transnational"
    assert case.sectors == ["Agriculture", "Fishing boats"]
    assert (case.victims, case.victims_note) == (None, "Several anonymous women*")
    assert case.decision_date is None
    assert report.moved == {("MeansUsed", "Transnational", "FormOfTrafficking"): 1}
    assert case.commentary == (
        "A first conviction.\n\nCoded on import from another column of SHERLOC's record: "
        "Transnational (MeansUsed) as FormOfTrafficking.\n\nNot coded on import, as SHERLOC "
        "words it: FormOfTrafficking: Organized Criminal Group; VerdictDate: sometime in 2007."
    )
    assert imported("sherloc:2").form == ""


# -- Re-import, refusals and broken files ---------------------------------------------------------


def test_a_changed_row_updates_its_case_only(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    sherloc.import_file(write(tmp_path, table({}, {}, {})), organisation=world.agency)
    before = dict(Resource.objects.values_list("source_key", "updated_at"))

    changed = table({}, {"MeansUsed": "Fraud", "MaleVictim(s)": "Yes"}, {})
    report = sherloc.import_file(write(tmp_path, changed), organisation=world.agency)

    assert (report.created, report.updated, report.unchanged) == (0, 1, 2)
    after = dict(Resource.objects.values_list("source_key", "updated_at"))
    assert after["sherloc:1"] == before["sherloc:1"]
    assert after["sherloc:2"] > before["sherloc:2"]
    second = imported("sherloc:2")
    assert second.means == ["fraud"]
    assert ("victim", "male", "", "", None) in parties(second)


def test_rows_that_cannot_be_saved_are_refused_and_the_others_imported(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = write(
        tmp_path,
        table({}, {"WebOrder": "1"}, {"VerdictDate": "1/1/1700"}, {"WebOrder": ""}),
    )
    report = sherloc.import_file(path, organisation=world.agency)

    assert report.created == 1
    assert [(r.row, r.key) for r in report.refused] == [(3, "sherloc:1"), (4, "sherloc:3"), (5, "")]
    reasons = [r.reason for r in report.refused]
    assert reasons[0] == "WebOrder 1 was already read in row 2."
    assert "1800" in reasons[1]
    assert "WebOrder" in reasons[2]
    assert list(Resource.objects.values_list("source_key", flat=True)) == ["sherloc:1"]


def test_another_organisations_case_is_not_overwritten(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = write(tmp_path, table({}))
    sherloc.import_file(path, organisation=world.agency)
    report = sherloc.import_file(path, organisation=world.other)
    assert report.created == report.updated == 0
    assert "AGA" in report.refused[0].reason
    assert Resource.objects.get().contributor == world.agency


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty."),
        (b"name,age\nAda,36\n", "This is not a SHERLOC case-law table"),
        (b"%PDF-1.7\n\xff\xfe\x00binary", "not UTF-8 text"),
    ],
)
def test_a_file_that_is_not_the_table_is_refused_with_nothing_written(
    world, tmp_path, content, message
) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "foreign.csv"
    path.write_bytes(content)
    with pytest.raises(sherloc.SherlocError, match=message):
        sherloc.import_file(path, organisation=world.host)
    assert not Resource.objects.exists()


def test_a_file_broken_half_way_imports_nothing(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    good = table({}, {}, {})
    broken = good + '4,USA004,"U.S. District Court",Maryland\r'  # a row cut short
    with pytest.raises(sherloc.SherlocError, match="Row 5 does not have one cell per column"):
        sherloc.import_file(write(tmp_path, broken), organisation=world.host)
    assert not Resource.objects.exists()
    assert not CaseLaw.objects.exists()


def test_a_file_with_a_byte_order_mark_reads(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbf" + table({}).encode())
    assert sherloc.import_file(path, organisation=world.host).created == 1


# -- The command ----------------------------------------------------------------------------------


def test_the_command_imports_for_the_host_and_prints_a_summary(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = write(
        tmp_path,
        table({"NumberVictims": "Several*"}, {"WebOrder": "1", "NumberVictims": "Many"}),
    )
    out = io.StringIO()
    call_command("import_case_law", str(path), stdout=out)
    text = out.getvalue()
    assert (
        "2 rows read: 1 created, 0 updated, 0 unchanged, 1 refused (as case law of HOST)." in text
    )
    assert "Row 3 (sherloc:1): WebOrder 1 was already read in row 2." in text
    assert "NumberVictims:" in text
    assert "'Several*'" in text
    assert "'Many'" not in text  # the wording of a refused row is not counted
    assert Resource.objects.get().contributor == world.host

    out = io.StringIO()
    call_command("import_case_law", str(path), "--org", "HOST", stdout=out)
    assert "0 created, 0 updated, 1 unchanged, 1 refused" in out.getvalue()


def test_the_command_refuses_what_it_cannot_import_in_words(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(CommandError, match="There is no file"):
        call_command("import_case_law", str(tmp_path / "missing.csv"))
    foreign = write(tmp_path, "name,age\nAda,36\n")
    with pytest.raises(CommandError, match=r"not a SHERLOC case-law table.*Nothing was imported"):
        call_command("import_case_law", str(foreign))
    with pytest.raises(CommandError, match="No organisation NOPE"):
        call_command("import_case_law", str(foreign), "--org", "NOPE")
    assert not Resource.objects.exists()


def test_a_reimport_keeps_a_case_restricted_and_the_codes_people_added(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = write(tmp_path, table({}))
    sherloc.import_file(path, organisation=world.host)
    case = Resource.objects.get()
    case.is_public = False
    case.save()
    case.codes.create(kind="intervention_theme", code="victim_assistance")
    again = sherloc.import_file(path, organisation=world.host)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)
    case.refresh_from_db()
    assert not case.is_public
    assert case.codes.filter(kind="intervention_theme", code="victim_assistance").exists()


def test_the_command_reports_moved_wording_and_shared_ids_and_the_page_shows_them(  # type: ignore[no-untyped-def]
    world, tmp_path, client
) -> None:
    path = write(
        tmp_path,
        table(
            {"NumberVictims": "10+", "Case": "USA010"},
            {"Case": "USA010", "Link": "https://www.unodc.org/cld/other.html", "MeansUsed": ""},
            {
                "Case": "USA012",
                "ExploitativePurposes": "Abuse of power or a position of vulnerability",
                "MeansUsed": "",
            },
            {
                "Case": "USA013",
                "ExploitativePurposes": "",
                "ExploitationSector": "Commercial sexual exploitation",
            },
        ),
    )
    out = io.StringIO()
    call_command("import_case_law", str(path), stdout=out)
    text = out.getvalue()
    assert "1 values were coded from another column" in text
    assert (
        "'Abuse of power or a position of vulnerability': ExploitativePurposes -> MeansUsed" in text
    )
    assert "1 values were coded as implied by another column" in text
    assert (
        "'Commercial sexual exploitation' (ExploitationSector) implies ExploitativePurposes" in text
    )
    assert "Row 3 (sherloc:2) gives the same Case as sherloc:1: USA010" in text
    assert "Row 3 (sherloc:2) gives the same Link" not in text  # its link is its own
    assert "Row 4 (sherloc:3) gives the same Link as sherloc:1" in text
    assert "Row 4 (sherloc:3) gives the same Case" not in text
    assert imported("sherloc:3").means == ["abuse_of_power", "abuse_of_vulnerability"]

    first = imported("sherloc:1")
    page = client.get(reverse("knowledge:detail", args=[first.resource.uid])).content.decode()
    assert "SHERLOC USA010" in page
    assert "10 (10+)" in page
