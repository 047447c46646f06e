"""Reference names kept in memory a few minutes: the standard's code lists and geo's countries
and regions change only when they are loaded again, yet pages, filters and search read them on
every request."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

# How long a process keeps names before it reads them again (a new version of the standard or
# new reference data shows within this time).
NAMES_SECONDS = 300


def slot() -> int:
    """The current refresh slot: names kept under it are read again in the next one."""
    return int(time.monotonic() // NAMES_SECONDS)


def kept(store: dict[Any, Any], key: Any, load: Callable[[], Any]) -> Any:
    """``load()``'s result, kept in ``store`` under ``key`` unless it is empty (empty means not
    loaded yet: asked again next time, while what else the store holds stays kept)."""
    found = store.get(key)
    if found is None:
        found = load()
        if found:
            if len(store) >= 256:  # old refresh slots
                store.clear()
            store[key] = found
    return found
