"""The capped paginator counts up to its cap, then says there are more."""

from __future__ import annotations

import pytest

from palermo.accounts.models import Organisation
from palermo.accounts.tests.factories import OrganisationFactory
from palermo.core.pagination import CappedPaginator

pytestmark = pytest.mark.django_db


def test_counts_exactly_below_the_cap_and_stops_above_it() -> None:
    OrganisationFactory.create_batch(7)
    rows = Organisation.objects.order_by("pk")
    exact = CappedPaginator(rows, 2, cap=10)
    assert (exact.count, exact.capped, exact.num_pages) == (7, False, 4)
    capped = CappedPaginator(rows, 2, cap=5)
    assert capped.capped
    assert capped.num_pages == 3  # pages up to the cap
    assert list(capped.page(3).object_list) == list(rows[4:6])
    assert capped.page(3).has_next() is False
