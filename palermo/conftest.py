"""Shared fixtures: reference data once per session, and two agencies with a user in every role."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from pathlib import Path

import pytest
import time_machine
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from palermo.accounts.models import Organisation, OrganisationType, Role, User
from palermo.accounts.tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from palermo.geo.services import load_reference_data
from palermo.standard.services import load_standard

CHROMIUM = Path("/usr/bin/chromium")

_clock: time_machine.travel | None = None


def pytest_configure(config: pytest.Config) -> None:
    """The whole run, collection included, happens on one calendar day: a run that starts in
    the afternoon or evening goes back to noon of that day, and the clock ticks from there.
    Test modules take "today" when they are collected and the services take it when they act;
    a run that crossed midnight would otherwise see two different days and fail on dates alone.
    The clock only ever goes back, never ahead of the files' times (a file written a moment ago
    must not look hours old to code that compares them)."""
    global _clock
    now = datetime.now(UTC)
    _clock = time_machine.travel(
        min(now, datetime.combine(now.date(), time(12), tzinfo=UTC)), tick=True
    )
    _clock.start()


def pytest_unconfigure(config: pytest.Config) -> None:
    if _clock is not None:
        _clock.stop()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    with django_db_blocker.unblock():
        load_reference_data()
        load_standard()


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """Each test starts in the default language: a page read in another language leaves it
    active in the thread (the locale middleware does not switch back), and the next test's
    messages would be in it."""
    from django.utils import translation

    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """Each test starts with an empty cache: API throttling counts requests in it, and counts
    left by earlier tests would throttle a later one (anonymous reads: 60 a minute)."""
    from django.core.cache import cache

    cache.clear()


@dataclass
class World:
    host: Organisation
    agency: Organisation
    other: Organisation
    users: dict[str, User] = field(default_factory=dict)


@pytest.fixture
def world(db: None) -> World:
    """The hosting organisation with its administrator, agency A with one user per role,
    and agency B (another country) with a case worker and an administrator."""
    host = OrganisationFactory(
        acronym="HOST", type=OrganisationType.INTERGOVERNMENTAL, is_host=True
    )
    agency = OrganisationFactory(acronym="AGA", country_id="NG")
    other = OrganisationFactory(acronym="AGB", country_id="TH")
    w = World(host=host, agency=agency, other=other)
    w.users["platform_admin"] = MembershipFactory(organisation=host, role=Role.ADMINISTRATOR).user
    for role in Role:
        w.users[role.value] = MembershipFactory(organisation=agency, role=role).user
    w.users["other_case_worker"] = MembershipFactory(organisation=other, role=Role.CASE_WORKER).user
    w.users["other_administrator"] = MembershipFactory(
        organisation=other, role=Role.ADMINISTRATOR
    ).user
    w.users["no_membership"] = UserFactory()
    return w


def verify_session(client: Client, user: User) -> TOTPDevice:
    """Give the user a confirmed TOTP device and mark the client's session as verified with it."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device


@pytest.fixture
def login_as(client: Client) -> Callable[..., Client]:
    """Log the test client in as ``user``, past the second factor unless ``verified=False``."""

    def _login(user: User | None, verified: bool = True) -> Client:
        client.logout()
        if user is not None:
            client.force_login(user)
            if verified:
                verify_session(client, user)
        return client

    return _login


# Browser tests -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    # Playwright runs an event loop in this thread; the ORM calls made by fixtures are safe here.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):  # type: ignore[no-untyped-def]
    """A fresh page; the test fails if the browser reports a Content-Security-Policy violation
    or a script error."""
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(15_000)
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    yield page
    context.close()
    assert problems == []
