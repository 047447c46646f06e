"""Local development and the demo that `make run` starts. DEBUG stays off unless PALERMO_DEBUG=1."""

from palermo.settings.base import *  # noqa: F403
