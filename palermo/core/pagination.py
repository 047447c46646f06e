"""Pagination for long lists on slow links and small machines."""

from __future__ import annotations

from functools import cached_property

from django.core.paginator import Paginator


class CappedPaginator(Paginator):
    """Counts at most ``cap`` rows: past it, the list says "more than N" and asks for narrower
    filters instead of counting (and so reading) every match on each page view. Pages up to the
    cap work as usual."""

    def __init__(self, object_list, per_page, cap: int = 1000, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(object_list, per_page, **kwargs)
        self.cap = cap

    @cached_property
    def count(self) -> int:
        rows = self.object_list
        if hasattr(rows, "order_by") and hasattr(rows, "values"):
            # Counting needs neither the order nor the columns (a search would rank every match
            # only to count them).
            rows = rows.order_by().values("pk")
        head = rows[: self.cap + 1]
        counted = head.count() if hasattr(head, "count") and callable(head.count) else len(head)
        return min(int(counted), self.cap + 1)

    @property
    def capped(self) -> bool:
        """Whether there are more rows than were counted."""
        return self.count > self.cap

    @cached_property
    def num_pages(self) -> int:
        if self.capped:
            return -(-self.cap // self.per_page)
        return super().num_pages
