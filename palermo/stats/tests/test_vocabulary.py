"""The names of the statistics' values are kept a few minutes, like the standard's: a list that
is not there (not loaded yet) is asked again next time and leaves the other names kept."""

from __future__ import annotations

import pytest

from palermo.standard import selectors
from palermo.stats import vocabulary

pytestmark = pytest.mark.django_db


def test_a_missing_list_leaves_the_kept_names_kept(django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    assert vocabulary.label("citizenship", "TH", "fr") == "Thaïlande"
    means = vocabulary.names("_means", "en")
    assert means
    # Every dimension's names go through _static; no dimension names a missing list, so the
    # "not loaded yet" case is asked of it directly.
    assert vocabulary._static("no_such_list", "en") == {}
    assert selectors.cached_code_names("no_such_list", "en") == {}
    with django_assert_num_queries(0):
        assert vocabulary.label("citizenship", "TH", "fr") == "Thaïlande"
        assert vocabulary.names("_means", "en") == means
