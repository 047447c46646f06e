"""Generated demo cases: plausible shapes, readable, nobody real, loaded once."""

from __future__ import annotations

from collections import Counter

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings
from django.utils import timezone

from palermo.cases.demo import generate_cases
from palermo.cases.models import Approval, Case, ChildSafeguards, Person, PersonIndex
from palermo.cases.safeguards import overdue_filter, overdue_steps
from palermo.cases.services import find_persons
from palermo.stats.models import Release

pytestmark = pytest.mark.django_db


def test_generated_cases_have_realistic_shapes(world) -> None:  # type: ignore[no-untyped-def]
    generate_cases(world.agency, 300, seed=7)
    cases = list(Case.objects.filter(organisation=world.agency).select_related("person"))
    assert len(cases) == 300
    minors = sum(c.is_minor for c in cases)
    assert 40 < minors < 130  # mostly adults
    genders = Counter(c.person.gender for c in cases)
    assert genders["Feminine"] > genders["Masculine"] > 50
    forms = Counter(code for c in cases for code in c.exploitation)
    assert forms.most_common(2)[0][0] in {"ForcedLabour", "SexualExploitation"}
    assert all(c.person.given_name and c.person.documents for c in cases[:20])
    someone = cases[0].person
    assert someone.pk in find_persons([world.agency.pk], someone.display_name)
    assert PersonIndex.objects.filter(person__organisation=world.agency).count() >= 600
    # Every child has safeguards; some are overdue, so the task lists have work to show.
    with_safeguards = ChildSafeguards.objects.filter(case__organisation=world.agency)
    assert with_safeguards.count() == minors
    assert 0 < sum(bool(overdue_steps(s)) for s in with_safeguards) < minors
    # The database's rule for reminders says the same as the page's.
    today = timezone.localdate()
    assert set(with_safeguards.filter(overdue_filter(today))) == {
        s for s in with_safeguards if overdue_steps(s, today)
    }


@override_settings(PALERMO_DEMO=True)
def test_load_demo_generates_cases_once(db) -> None:  # type: ignore[no-untyped-def]
    call_command("load_demo")
    first = Case.objects.count()
    assert first == 485
    assert Approval.objects.filter(state="requested").exists()  # work waits for supervisors
    release = Release.objects.get()  # the public dashboard has a release to show
    assert release.state == Release.State.PUBLISHED
    assert release.records is not None
    assert release.records > 200
    call_command("load_demo")
    assert Case.objects.count() == first
    assert Person.objects.count() == first
    assert Release.objects.count() == 1


def test_generate_cases_refuses_on_a_real_site(world) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(CommandError, match="not a demo"):
        call_command("generate_cases", "--organisation", world.agency.acronym)
    with pytest.raises(CommandError, match="No organisation"):
        call_command("generate_cases", "--organisation", "NOPE", "--force")
