"""Where the current request comes from, so that services can audit without being passed it."""

from __future__ import annotations

from contextvars import ContextVar

current_ip: ContextVar[str | None] = ContextVar("palermo_audit_ip", default=None)
