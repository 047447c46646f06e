"""The mechanism's figures: exact for an organisation's own, through disclosure control for
everyone else."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from palermo.referrals import statistics
from palermo.referrals.models import Referral

pytestmark = pytest.mark.django_db


def _referrals(world, count: int, **fields) -> None:  # type: ignore[no-untyped-def]
    from palermo.cases.tests.helpers import make_case

    case = make_case(world.agency, world.users["case_worker"])
    Referral.objects.bulk_create(
        [
            Referral(
                case=case,
                from_organisation=world.agency,
                to_organisation=world.other,
                need=fields.get("need", "shelter"),
                kind=fields.get("kind", "general"),
                status=fields.get("status", "accepted"),
                respond_by=timezone.now(),
                answered_at=timezone.now(),
                created_by=world.users["case_worker"],
                cross_border=True,
            )
            for _ in range(count)
        ]
    )


def test_small_counts_are_suppressed_and_the_rest_rounded(world) -> None:  # type: ignore[no-untyped-def]
    _referrals(world, 23, need="shelter")
    _referrals(world, 3, need="legal_aid", status="declined")
    figures = statistics.published_figures()
    needs = dict(figures.tables["need"])
    assert needs["shelter"] == 25  # 23 rounded to 5
    assert needs["legal_aid"] is None  # 3 < 11
    assert figures.total == 25  # 26 rounded
    own = statistics.own_figures(world.agency)
    assert dict(own.tables["need"]) == {"shelter": 23, "legal_aid": 3}


def test_too_few_referrals_publish_nothing(client, world) -> None:  # type: ignore[no-untyped-def]
    _referrals(world, 4)
    assert statistics.published_figures().refused
    page = client.get(reverse("referrals:statistics")).content.decode()
    assert "Too few referrals" in page


def test_anonymous_never_sees_exact_counts(client, login_as, world) -> None:  # type: ignore[no-untyped-def]
    _referrals(world, 13)
    page = client.get(reverse("referrals:statistics")).content.decode()
    assert ">13<" not in page
    assert ">15<" in page
    supervisor = login_as(world.users["supervisor"])
    assert ">13<" in supervisor.get(reverse("referrals:statistics")).content.decode()
