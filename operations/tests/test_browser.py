"""The issue's browser journey: plan a wave, add a consented mother with her children, print the manifest,
execute the wave and see the persons evacuated. Reuses the browser set-up (and CSP check) of tests/test_browser.py."""

from collections.abc import Callable
from pathlib import Path

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from access.models import Team, User
from access.rules import Role
from casework.models import Case
from casework.transitions import CaseState
from operations.models import Operation, WaveStatus
from operations.tests.conftest import Family
from people.models import Place
from tests.test_browser import browser, page  # noqa: F401  (fixtures: Debian's chromium, CSP violations fail)

pytestmark = pytest.mark.browser


def _log_in(tab: Page, base_url: str, user: User) -> None:
    device = TOTPDevice.objects.create(user=user, name="Phone", confirmed=True)
    tab.goto(f"{base_url}/accounts/login/")
    tab.get_by_label("Username").fill(user.username)
    tab.get_by_label("Password").fill("correct horse battery staple")
    tab.get_by_role("button", name="Log in").click()
    code = f"{TOTP(bytes.fromhex(device.key)).token():06d}"
    tab.get_by_label("Code from your authenticator app, or a recovery code").fill(code)
    tab.get_by_role("button", name="Continue").click()
    expect(tab.get_by_role("heading", name="Dashboard")).to_be_visible()


def test_a_planner_plans_prints_and_executes_a_wave(
    live_server,
    page: Page,  # noqa: F811
    make_user: Callable[..., User],
    team_a: Team,
    operation: Operation,
    places: tuple[Place, Place],
    make_family: Callable[..., Family],
    tmp_path: Path,
) -> None:
    family = make_family(children=2)
    planner = make_user(Role.SUPERVISOR, team=team_a, username="planner")
    _log_in(page, live_server.url, planner)

    page.goto(f"{live_server.url}/operations/")
    page.get_by_role("link", name="Zhusan 2019").click()
    page.get_by_role("link", name="New wave").click()
    page.locator("#id_name").fill("Zhusan-1")
    page.locator("#id_departs_on").fill("2019-05-09")
    page.locator("#id_arrives_on").fill("2019-05-09")
    page.locator("#id_origin").select_option(label="Qamishli airport")
    page.locator("#id_destination").select_option(label="Aktau")
    page.locator("#id_capacity").fill("10")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="Zhusan-1")).to_be_visible()

    page.get_by_role("link", name="Add persons").click()
    page.get_by_label("Name, in any script or spelling").fill("Mother1")
    add = page.locator(f"#add-{family.mother.person_id}")
    expect(add).to_be_visible()
    expect(page.locator("#candidates tbody tr")).to_have_count(1)  # arrived through htmx as the user typed
    mother_row = page.locator("#candidates tbody tr", has=add)
    expect(mother_row.get_by_text("Child1x0 Family")).to_be_visible()  # her children are offered with her
    add.click()
    manifest = page.locator("#manifest")
    for name in ("Mother1 Family", "Child1x0 Family", "Child1x1 Family"):
        expect(manifest.get_by_role("link", name=name)).to_be_visible()

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Print the manifest (PDF)").click()
    saved = tmp_path / "manifest.pdf"
    download_info.value.save_as(saved)
    assert saved.read_bytes().startswith(b"%PDF")

    page.get_by_role("link", name="Execute the wave").click()
    expect(page.get_by_text("3 persons will be marked evacuated")).to_be_visible()
    page.get_by_role("button", name="Confirm: execute the wave").click()
    expect(page.locator("#wave-status")).to_have_text("Executed")
    for person_id in family.person_ids:
        expect(page.locator(f'[data-person="{person_id}"]')).to_have_text("Evacuated")
    assert set(Case.objects.filter(person_id__in=family.person_ids).values_list("state", flat=True)) == {
        CaseState.EVACUATED
    }
    assert operation.waves.get().status == WaveStatus.EXECUTED
