"""The main journey in a real browser: log in, accept the NDA, find Айгерим by typing Aigerim, see her family,
move her case on. Drives Debian's chromium through Playwright (no browser download)."""

import base64
import os
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Browser, Page, expect, sync_playwright

from access.mfa import current_code
from access.models import User
from access.rules import Role
from casework.models import Case
from casework.transitions import CaseState
from conftest import cyrillic
from people import services

CHROMIUM = "/usr/bin/chromium"


def _totp(secret_base32: str) -> str:
    """What an authenticator app shows now for this secret (django-otp's own TOTP)."""
    return f"{TOTP(base64.b32decode(secret_base32)).token():06d}"


pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (make test does it when run as root)")
    # Playwright's sync API runs an event loop in this thread; the ORM calls in fixtures are still synchronous.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
                "--no-sandbox",
                "--disable-gpu",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(10_000)
    violations: list[str] = []
    page.on(
        "console",
        lambda message: violations.append(message.text) if "Content Security Policy" in message.text else None,
    )
    yield page
    context.close()
    assert violations == [], "the strict CSP blocked something on these pages"


def test_caseworker_finds_aigerim_sees_her_children_and_moves_her_case(
    live_server,
    page: Page,
    make_user: Callable[..., User],
    team_a,
    register: Callable[..., Case],
    caseworker_a: User,
) -> None:
    mother = register(cyrillic("Айгерим", "Сейтказиева"), born=date(1991, 4, 17))
    for given in ("Амина", "Юсуф", "Марьям"):
        child = register(cyrillic(given, "Сейтказиева"), born=date(2015, 6, 1))
        services.relationship_add(actor=caseworker_a, subject=mother.person, obj=child.person, kind="mother")
    worker = make_user(Role.CASEWORKER, team=team_a, accepted=False, username="saule")

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(worker.username)
    page.get_by_label("Password").fill("correct horse battery staple")
    page.get_by_role("button", name="Log in").click()

    # First login: enrol an authenticator (the test plays the phone), keep the recovery codes.
    expect(page.get_by_role("heading", name="Set up your authenticator")).to_be_visible()
    secret = page.locator("#totp-secret").inner_text()
    page.get_by_label("Code from your authenticator app, or a recovery code").fill(_totp(secret))
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", name="Recovery codes")).to_be_visible()
    page.get_by_role("link", name="Continue").click()

    # No personal data before the non-disclosure agreement is accepted.
    expect(page.get_by_role("heading", name="Non-disclosure agreement")).to_be_visible()
    page.get_by_role("button", name="I accept this agreement").click()
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()

    page.get_by_role("link", name="Registry").click()
    page.get_by_label("Name, in any script or spelling").fill("Aigerim")
    result = page.get_by_role("link", name="Сейтказиева Айгерим")
    expect(result).to_be_visible()  # arrived through htmx as the user typed
    result.click()

    expect(page.get_by_role("heading", name="Family")).to_be_visible()
    graph = page.get_by_role("img", name="Family graph")
    for child_name in ("Амина", "Юсуф", "Марьям"):
        expect(graph.get_by_text(child_name)).to_be_visible()

    page.get_by_label("Ask for consent").check()
    page.get_by_role("button", name="Apply").click()
    expect(page.locator("#case-state")).to_have_text("Consent pending")
    mother.refresh_from_db()
    assert mother.state == CaseState.CONSENT_PENDING


def test_an_administrator_adds_staff_who_enrols_through_the_link_and_cannot_grant_themselves_anything(
    live_server, page: Page, make_user: Callable[..., User], agency_a
) -> None:
    admin = make_user(Role.SYSTEM_ADMINISTRATOR, username="sysadmin")
    device = TOTPDevice.objects.create(user=admin, name="Phone", confirmed=True)

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(admin.username)
    page.get_by_label("Password").fill("correct horse battery staple")
    page.get_by_role("button", name="Log in").click()
    page.get_by_label("Code from your authenticator app, or a recovery code").fill(current_code(device))
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Administration").click()
    page.get_by_role("link", name="Staff accounts").click()
    page.get_by_role("link", name="Add a member of staff").click()
    page.get_by_label("Username").fill("aliya")
    page.get_by_label("First name").fill("Aliya")
    page.get_by_label("Last name").fill("Newcomer")
    page.get_by_role("combobox", name="Agency").select_option(label=str(agency_a))
    page.get_by_role("checkbox", name="Statistician").check()
    page.get_by_role("button", name="Add").click()
    link = page.locator("#enrolment-link").inner_text()
    assert "/accounts/enrol/" in link

    # Their own account offers no change of roles, agency, access or second factor.
    page.goto(f"{live_server.url}/administration/staff/{admin.pk}/")
    expect(page.get_by_text("This is your own account")).to_be_visible()
    expect(page.get_by_role("button", name="Save roles")).to_have_count(0)
    page.get_by_role("button", name="Log out").click()

    # The newcomer opens the link, chooses a password and enrols their authenticator.
    page.goto(link)
    expect(page.get_by_role("heading", name="Set up your account")).to_be_visible()
    page.locator("#id_new_password1").fill("a long and new passphrase 42")
    page.locator("#id_new_password2").fill("a long and new passphrase 42")
    page.get_by_role("button", name="Set the password").click()
    expect(page.get_by_role("heading", name="Set up your authenticator")).to_be_visible()
    secret = page.locator("#totp-secret").inner_text()
    page.get_by_label("Code from your authenticator app, or a recovery code").fill(_totp(secret))
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", name="Recovery codes")).to_be_visible()
    page.get_by_role("link", name="Continue").click()
    page.get_by_role("button", name="I accept this agreement").click()
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()

    newcomer = User.objects.get(username="aliya")
    assert newcomer.roles == [Role.STATISTICIAN] and newcomer.check_password("a long and new passphrase 42")
    admin.refresh_from_db()
    assert admin.roles == [Role.SYSTEM_ADMINISTRATOR]
    page.goto(link)
    expect(page.get_by_role("heading", name="Not found")).to_be_visible()
