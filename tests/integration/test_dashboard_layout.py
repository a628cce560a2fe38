"""The operators' dashboard on any screen, in a real headless Chromium against the live web
and worker processes: at 375x812 (a phone) and 1440x900 the page never scrolls sideways,
nothing is wider than the screen and every action button can be scrolled to and clicked;
and what it shows reads as the CLI's: durations (`49ms`), times in UTC with the date, a
failed group's error once, no "Retry all" for a code no retry cures, the kinds to filter
on, the operator key's prefix, an audit entry's details as `ops audit` prints them, and one
clear sentence for an account's key.

With DASHBOARD_SCREENSHOTS=<directory> set, the layout test saves the page at both widths
there: down to the keys (dashboard-1440.png, dashboard-375.png), and its keys and audit log
panels (dashboard-keys-audit-1440.png, dashboard-keys-audit-375.png): how docs/screenshots/
was made."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import re
import subprocess
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from arq.connections import ArqRedis
from selenium.webdriver.support.select import Select

from api_stub.ops_cli.audit_views import ACTIONS, details_text, who
from api_stub.ops_cli.tables import duration, when
from api_stub.routes.audit import AuditEntryOut
from harness.processes import Proc, python_module
from harness.waits import eventually
from tests.integration.test_dashboard import labelled_operator_key, open_dashboard, stored_key
from tests.support.browser import Browser, start_chromium
from tests.support.toys import create_toy_job, job_row
from worker.ids import OPERATOR_KEY_PREFIX
from worker.kinds.wizard_import.enqueue import store_upload
from worker.store import audit

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "api_stub" / "dashboard" / "page.html"
AUDIT_JS = ROOT / "api_stub" / "dashboard" / "audit.js"
# width, height, a phone's (overlay scroll bars, the viewport meta tag applies)
SIZES = {"360": (360, 740, True), "375": (375, 812, True), "1440": (1440, 900, False)}
UNSUPPORTED = ("The legacy organisation holds data the new platform cannot store: 2 "
               "documents in an unsupported currency. Create the job again with "
               "confirm_unsupported_data: true to migrate everything else and skip these, "
               "or remove them from the legacy account first.")
UTC_TIME = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$")


@dataclass(frozen=True)
class Scene:
    """One account's jobs, one of each thing the page draws: a completed job (step
    timings), failed ones under three codes, one running (its Cancel button); and its keys
    and audit trail: a key rotated (in its grace period) and its successor, a bulk cancel,
    an upload."""

    account: str
    completed: str
    broken: str
    unsupported: str
    mixed: tuple[str, str]
    running: str
    rotated: str  # a key's prefix
    successor: str


@pytest.fixture(scope="module")
def operator_key(service_env: dict[str, str]) -> str:
    return labelled_operator_key(service_env, "ops laptop")


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    session = start_chromium(tmp_path_factory.mktemp("browser-layout"))
    # far from UTC, so that a time shown in the browser's zone could not pass for UTC
    session.driver.execute_cdp_cmd("Emulation.setTimezoneOverride",
                                   {"timezoneId": "Pacific/Auckland"})
    yield session
    session.driver.quit()


@pytest.fixture
async def ops(web: str, operator_key: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=web, timeout=30,
                                 headers={"Authorization": f"Bearer {operator_key}"}) as http:
        yield http


async def _failed_row(db: asyncpg.Pool, account: str, code: str, error: str) -> str:
    """A failed job as a legacy migration's step would leave it (no worker runs one here)."""
    job_id = "job_" + uuid.uuid4().hex[:24]
    await db.execute(
        "INSERT INTO migration_jobs (id, kind, account_id, total_steps, status, error_code, "
        "error, attempts, started_at, completed_at) VALUES ($1, 'toy', $2, 2, 'failed', $3, "
        "$4, 1, now() - interval '3 seconds', now())", job_id, account, code, error)
    return job_id


@pytest.fixture(scope="module")
async def scene(db: asyncpg.Pool, arq_redis: ArqRedis, queue_name: str, worker: Proc,
                web: str, operator_key: str, service_env: dict[str, str]
                ) -> AsyncIterator[Scene]:
    account = "acc_dash_" + uuid.uuid4().hex[:8]
    completed = await create_toy_job(db, arq_redis, queue_name, ticks=2, account=account)
    broken = await create_toy_job(db, arq_redis, queue_name, ticks=-1, account=account)
    await eventually(lambda: _status_is(db, completed, "completed"), "the toy job completed")
    await eventually(lambda: _status_is(db, broken, "failed"), "the broken toy job failed")
    unsupported = await _failed_row(db, account, "UNSUPPORTED_DATA", UNSUPPORTED)
    mixed = (await _failed_row(db, account, "MIXED_TEXTS", "The first reason."),
             await _failed_row(db, account, "MIXED_TEXTS", "The second reason."))
    running = await create_toy_job(db, arq_redis, queue_name, ticks=3000, tick_seconds=0.05,
                                   account=account)
    await eventually(lambda: _status_is(db, running, "running"), "the long job running")
    async with httpx.AsyncClient(base_url=web, timeout=30, headers={
            "Authorization": f"Bearer {operator_key}"}) as http:
        rotated, successor = await _key_trail(http, db, service_env, account, (
            await create_toy_job(db, arq_redis, queue_name, ticks=3000, account=account)))
        yield Scene(account, completed, broken, unsupported, mixed, running, rotated,
                    successor)
        await http.post("/ops/jobs/cancel", json={"account": account})


async def _key_trail(http: httpx.AsyncClient, db: asyncpg.Pool, env: dict[str, str],
                     account: str, doomed: str) -> tuple[str, str]:
    """The account's key created (by the CLI) and rotated (by the operator), a job of it
    cancelled in bulk, a file it uploaded: what the keys and audit panels show. The prefixes
    of the rotated key and of its successor."""
    done = await asyncio.to_thread(subprocess.run, python_module(
        "api_stub", "create-key", "--account", account, "--label", "billing sync"), env=env,
        check=True, capture_output=True, text=True)
    key = done.stdout.strip().splitlines()[-1]
    rotated = await http.post(f"/ops/keys/{key[:10]}/rotate")
    assert rotated.status_code == 200, rotated.text
    cancelled = await http.post("/ops/jobs/cancel", json={"account": account, "ids": [doomed]})
    assert cancelled.json()["acted"] == 1, cancelled.text
    successor = rotated.json()["key"]
    listed = (await http.get("/ops/keys")).json()["keys"]
    key_id = next(k["id"] for k in listed if k["prefix"] == successor[:10])
    async with db.acquire() as conn, conn.transaction():
        # as the upload route stores one, by the account's key (the same function, in-process)
        await store_upload(conn, account_id=account, filename="Xero contacts 2024.csv",
                           file_format="csv", data=CONTACTS, by=audit.Actor(
                               audit.ActorRole.ACCOUNT, key_id, successor[:10], "billing sync",
                               account, "127.0.0.1"))
    return key[:10], successor[:10]


CONTACTS = b"Name,Email\n" + b"".join(b"Customer %d Ltd,accounts%d@example.com\n" % (n, n)
                                     for n in range(1200))


async def _status_is(db: asyncpg.Pool, job_id: str, status: str) -> bool:
    return str((await job_row(db, job_id))["status"]) == status


def viewport(browser: Browser, size: str) -> None:
    width, height, mobile = SIZES[size]
    browser.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": width, "height": height, "deviceScaleFactor": 2 if mobile else 1,
        "mobile": mobile})


def group(code: str) -> str:
    return f'#failed-groups [data-error-group="{code}"]'


def scene_drawn(browser: Browser, scene: Scene) -> bool:
    return all(browser.visible(css) for css in (
        f'{group("TOY_BROKEN")} tr[data-job-id="{scene.broken}"]',
        f'{group("UNSUPPORTED_DATA")} tr[data-job-id="{scene.unsupported}"]',
        f'#active-body tr[data-job-id="{scene.running}"]',
        '#steps-body tr[data-kind="toy"][data-step="1"]',
        f'#keys-body tr[data-key-prefix="{scene.rotated}"] button[data-action="revoke-key"]',
        f'#keys-body tr[data-key-prefix="{scene.successor}"] button[data-action="rotate-key"]',
        '#audit-body tr[data-action="upload.stored"]'))


# Every button shown, scrolled into view: where it is, and whether a click at its centre
# lands on it (not on something covering it, nor outside a box that clips it).
REACH = """
const out = [];
for (const b of document.querySelectorAll('button')) {
  if (!b.checkVisibility()) continue;
  b.scrollIntoView({block: 'center', inline: 'center'});
  const r = b.getBoundingClientRect();
  const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
  out.push({text: b.textContent, action: b.dataset.action || b.id || b.type,
            left: r.left, right: r.right, top: r.top, bottom: r.bottom,
            width: r.width, height: r.height, hit: hit !== null && b.contains(hit)});
}
window.scrollTo(0, 0);
return out;
"""

# Every element shown that reaches past the screen's left or right edge.
OVERFLOW = """
const out = [];
for (const e of document.querySelectorAll('body *')) {
  if (!e.checkVisibility()) continue;
  const r = e.getBoundingClientRect();
  if (r.width === 0 && r.height === 0) continue;
  if (r.left < -0.5 || r.right > window.innerWidth + 0.5) {
    out.push(e.tagName + (e.id ? '#' + e.id : '') + ' ' + Math.round(r.left) + '..' +
             Math.round(r.right) + ' ' + (e.textContent || '').slice(0, 40));
  }
}
return out;
"""


def screenshot(browser: Browser, path: Path, start: str | None = None,
               end: str | None = None) -> None:
    """The page from the top of the element at `start` (else the page's) to the top of the
    one at `end` (else the page's bottom), at the current width."""
    width, top, bottom = browser.js("""
        const at = (css, otherwise) => css
          ? document.querySelector(css).getBoundingClientRect().top + window.scrollY - 8
          : otherwise;
        return [document.documentElement.scrollWidth, Math.max(at(arguments[0], 0), 0),
                at(arguments[1], document.documentElement.scrollHeight)];""", start, end)
    shot = browser.driver.execute_cdp_cmd("Page.captureScreenshot", {
        "format": "png", "captureBeyondViewport": True,
        "clip": {"x": 0, "y": top, "width": width, "height": bottom - top, "scale": 1}})
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(base64.b64decode(shot["data"]))


def assert_fits(browser: Browser, size: str, actions: set[str]) -> None:
    """No sideways scroll, nothing past the screen's edges, and every button shown can be
    scrolled into view and clicked (among them `actions`)."""
    width, height, _ = SIZES[size]
    inner, scroll = browser.js("return [window.innerWidth, "
                               "document.documentElement.scrollWidth]")
    assert inner == width
    assert scroll <= inner, browser.js(OVERFLOW)
    assert browser.js(OVERFLOW) == []
    buttons = browser.js(REACH)
    assert actions <= {b["action"] for b in buttons}, buttons
    for b in buttons:
        assert b["hit"], b
        assert b["width"] > 0, b
        assert b["height"] > 0, b
        assert b["left"] >= 0, b
        assert b["right"] <= width, b
        assert b["top"] >= 0, b
        assert b["bottom"] <= height, b


@pytest.mark.parametrize("size", list(SIZES))
async def test_no_sideways_scroll_and_every_action_within_reach(
        browser: Browser, web: str, operator_key: str, scene: Scene, size: str) -> None:
    viewport(browser, size)
    width = SIZES[size][0]
    # the job's own view first: its 13 columns of steps, and its Cancel button
    open_dashboard(browser, web, operator_key, f"&job={scene.running}")
    browser.wait(lambda: browser.visible('#timeline-body tr[data-step="2"]')
                 and browser.visible('#job-actions button[data-action="cancel"]'),
                 "the running job's view")
    assert_fits(browser, size, {"pause", "refresh", "signout", "cancel"})
    open_dashboard(browser, web, operator_key)
    browser.wait(lambda: scene_drawn(browser, scene), "the scene's jobs drawn")
    assert_fits(browser, size, {"pause", "refresh", "signout", "submit", "filter-clear",
                                "retry-group", "retry", "cancel", "revoke-key", "rotate-key",
                                "audit-clear", "audit-older"})
    target = os.environ.get("DASHBOARD_SCREENSHOTS")
    if target and size in ("375", "1440"):
        browser.js("window.scrollTo(0, 0)")
        # the jobs, then the keys and the audit log: two pictures of a readable height
        screenshot(browser, Path(target) / f"dashboard-{size}.png", end="#keys-panel")
        screenshot(browser, Path(target) / f"dashboard-keys-audit-{size}.png", "#keys-panel")
    # a real click on the narrow screen too: Retry all arms (the second click would act)
    browser.click(f'{group("TOY_BROKEN")} button[data-action="retry-group"]', "retry all")
    browser.wait(lambda: browser.visible(f'{group("TOY_BROKEN")} button[data-armed]'),
                 "the armed button")
    if width < 700:  # the failed job's important fields are on its card, by name
        card = f'{group("UNSUPPORTED_DATA")} tr[data-job-id="{scene.unsupported}"]'
        text = browser.text(card)
        assert scene.unsupported in text
        assert scene.account in text
        # each field's name is drawn before it (CSS generated text: not in innerText)
        names = browser.js("""return [...document.querySelector(arguments[0]).children]
            .map(td => getComputedStyle(td, '::before').content)""", card)
        for label in ("Kind", "Account", "Attempts", "Failed"):
            assert f'"{label} "' in names, names
        # an upload's entry: who, and its file's name, size and short SHA-256, by name
        upload = browser.text('#audit-body tr[data-action="upload.stored"]')
        assert f"account {scene.successor} (billing sync)" in upload
        assert re.search(r"filename Xero contacts 2024\.csv · format csv · bytes 4\d\.\d kB · "
                         r"sha256 [0-9a-f]{12}…", upload), upload


async def test_step_durations_read_as_the_clis(
        browser: Browser, web: str, operator_key: str, scene: Scene,
        ops: httpx.AsyncClient) -> None:
    viewport(browser, "1440")
    open_dashboard(browser, web, operator_key)
    browser.wait(lambda: scene_drawn(browser, scene), "the scene's jobs drawn")

    async def shown() -> tuple[str, str] | None:
        steps = (await ops.get("/ops/summary")).json()["steps"]
        step = next(s for s in steps if s["kind"] == "toy" and s["step"] == 1)
        cli = duration(step["p50_seconds"])
        page = browser.text('#steps-body tr[data-kind="toy"][data-step="1"] '
                            '[data-field="p50"]')
        return (cli, page) if cli == page else None

    _, page = await eventually(shown, "the page's p50 as the CLI's", timeout=15)
    assert re.fullmatch(r"\d+ms", page), page  # the toy's first step ends at once: < 1 s
    assert page != "0.0 s"


DURATIONS = [0, 0.0004, 0.0005, 0.0125, 0.049, 0.5, 0.9994, 0.9995, 1, 4.25, 4.35, 9.95,
             9.96, 10, 42.5, 43.5, 59.5, 60, 185, 3599.5, 3600, 7620, 86399.5, 273600, 1e6]


def test_the_pages_durations_are_the_clis(browser: Browser) -> None:
    """The page's formatting functions, run in the browser, against the CLI's on the same
    numbers (ties included: Python rounds them to even)."""
    html = PAGE.read_text(encoding="utf-8")
    source = "\n".join(re.search(rf"\n  function {name}\(.*?\n  }}\n", html, re.DOTALL)
                       .group(0) for name in ("fixed", "fmtSeconds"))  # type: ignore[union-attr]
    browser.driver.get("about:blank")
    shown = browser.js(source + "\nreturn arguments[0].map(fmtSeconds);", DURATIONS)
    assert shown == [duration(s) for s in DURATIONS]


async def test_times_are_utc_with_the_date(
        browser: Browser, web: str, operator_key: str, scene: Scene,
        ops: httpx.AsyncClient) -> None:
    viewport(browser, "1440")
    open_dashboard(browser, web, operator_key)
    assert browser.js("return new Date().getTimezoneOffset()") != 0  # Auckland, not UTC
    browser.wait(lambda: scene_drawn(browser, scene), "the scene's jobs drawn")
    job = (await ops.get(f"/ops/jobs/{scene.unsupported}")).json()
    cell = f'{group("UNSUPPORTED_DATA")} tr[data-job-id="{scene.unsupported}"] td:nth-child(5)'
    assert browser.text(cell) == f"{when(job['completed_at'])}Z"
    assert UTC_TIME.match(browser.text(cell))
    status = browser.text("#status")
    assert re.search(r" · updated \d\d:\d\d:\d\dZ$", status), status
    # the job's own view: its times and its steps'
    done = (await ops.get(f"/ops/jobs/{scene.completed}")).json()
    open_dashboard(browser, web, operator_key, f"&job={scene.completed}")
    browser.wait(lambda: browser.text("#job-status") == "completed", "the job's view")
    assert browser.text('#job-fields [data-field="finished"]') == f"{when(done['completed_at'])}Z"
    started = browser.js("""return [...document.querySelectorAll(
        '#timeline-body tr[data-step] td:nth-child(4)')].map(td => td.innerText)""")
    assert started == [f"{when(s['started_at'])}Z" for s in done["timeline"]]
    assert all(UTC_TIME.match(t) for t in started), started


async def test_a_failed_groups_error_text_shows_once(
        browser: Browser, web: str, operator_key: str, scene: Scene) -> None:
    viewport(browser, "1440")
    open_dashboard(browser, web, operator_key)
    browser.wait(lambda: scene_drawn(browser, scene), "the scene's jobs drawn")
    text = browser.text(group("UNSUPPORTED_DATA"))
    assert text.count(UNSUPPORTED) == 1, text
    assert browser.text(f'{group("UNSUPPORTED_DATA")} [data-field="message"]') == UNSUPPORTED
    # two texts under one code: each on its job's row, none in the head
    mixed = group("MIXED_TEXTS")
    browser.wait(lambda: browser.visible(mixed), "the group of two texts")
    assert browser.text(f'{mixed} [data-field="message"]') == ""
    for job_id, reason in zip(scene.mixed, ("The first reason.", "The second reason."),
                              strict=True):
        assert browser.text(f'{mixed} tr[data-job-id="{job_id}"] [data-field="error"]') == reason
        assert browser.text(mixed).count(reason) == 1


async def test_no_retry_all_for_a_code_no_retry_cures(
        browser: Browser, web: str, operator_key: str, scene: Scene) -> None:
    viewport(browser, "1440")
    open_dashboard(browser, web, operator_key)
    browser.wait(lambda: scene_drawn(browser, scene), "the scene's jobs drawn")
    unsupported = group("UNSUPPORTED_DATA")
    assert browser.js("return document.querySelectorAll(arguments[0]).length",
                      f'{unsupported} button[data-action="retry-group"]') == 0
    assert browser.text(f'{unsupported} [data-field="no-retry"]').startswith(
        "No “Retry all”: retrying fails the same way until that data is removed from the "
        "legacy account")
    # each job keeps its own Retry (for when the data was removed), and other codes Retry all
    assert browser.visible(f'{unsupported} tr[data-job-id="{scene.unsupported}"] '
                           'button[data-action="retry"]')
    assert browser.visible(f'{group("TOY_BROKEN")} button[data-action="retry-group"]')


def test_the_codes_without_retry_all_are_the_workers() -> None:
    """The page's one list of codes no retry cures names codes the worker raises."""
    html = PAGE.read_text(encoding="utf-8")
    block = re.search(r"const NO_BULK_RETRY = \{(.*?)\n  \};", html, re.DOTALL)
    assert block is not None
    codes = re.findall(r"^\s+([A-Z_]+):", block.group(1), re.MULTILINE)
    assert "UNSUPPORTED_DATA" in codes
    raised = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "worker").rglob("*.py"))
    for code in codes:
        assert f'"{code}"' in raised, code


async def test_the_kind_filter_offers_the_kinds(
        browser: Browser, web: str, operator_key: str, scene: Scene,
        ops: httpx.AsyncClient) -> None:
    viewport(browser, "1440")
    open_dashboard(browser, web, operator_key)
    browser.wait(lambda: scene_drawn(browser, scene), "the scene's jobs drawn")
    kinds = sorted((await ops.get("/ops/summary")).json()["jobs"])
    assert "toy" in kinds
    assert browser.js("return document.getElementById('filter-kind').tagName") == "SELECT"

    def offered() -> list[str]:
        return list(browser.js("return [...document.getElementById('filter-kind').options]"
                               ".map(o => o.value)"))

    browser.wait(lambda: offered() == ["", *kinds], "the summary's kinds offered")
    assert browser.js("return document.getElementById('filter-kind').options[0].text") == \
        "every kind"
    Select(browser.driver.find_element("css selector", "#filter-kind")).select_by_value("toy")
    browser.wait(lambda: browser.text("#filter-note") == "Showing kind toy", "filtered")

    def read_by_kind() -> bool:
        browser.drain_logs()
        return any("/ops/jobs?" in r["url"] and "kind=toy" in r["url"]
                   for r in browser.requests)

    browser.wait(read_by_kind, "the lists read with kind=toy")
    browser.click("#filter-clear", "clear")
    browser.wait(lambda: browser.text("#filter-note") == "", "cleared")
    assert browser.js("return document.getElementById('filter-kind').value") == ""


async def test_the_sign_in_form_shows_the_operator_keys_prefix(
        browser: Browser, web: str, operator_key: str) -> None:
    viewport(browser, "360")
    browser.driver.get("about:blank")
    browser.driver.get(f"{web}/dashboard")
    browser.js("sessionStorage.clear()")
    browser.driver.get("about:blank")
    browser.driver.get(f"{web}/dashboard")
    browser.wait(lambda: browser.visible("#signin-view"), "the sign-in form")
    placeholder = browser.js("return document.getElementById('key-input').placeholder")
    assert placeholder == "mwo_…"
    assert_fits(browser, "360", {"submit"})
    assert placeholder.startswith(OPERATOR_KEY_PREFIX)
    assert operator_key.startswith(OPERATOR_KEY_PREFIX)


async def test_an_account_key_is_told_so_once(browser: Browser, web: str,
                                              api_key: str) -> None:
    open_dashboard(browser, web, api_key)
    browser.wait(lambda: browser.visible("#auth-error"), "the refusal")
    text = browser.text("#auth-error")
    assert text == ("This is an account's key: the dashboard needs an operator's key "
                    "(mwo_…). (OPERATOR_ONLY)")
    assert text.count("operator's key") == 1
    assert stored_key(browser) is None
    # an unknown key: the service's reason, once, after "refused"
    open_dashboard(browser, web, "mwo_" + "x" * 40)
    browser.wait(lambda: browser.visible("#auth-error"), "the refusal")
    text = browser.text("#auth-error")
    assert text.startswith("This key was refused: "), text
    assert text.endswith(" (INVALID_API_KEY)"), text
    assert text.count("refused") == 1, text
    assert "operator's key" not in text


DETAILS: list[dict[str, Any]] = [
    {"filter": {"status": "failed", "error_code": "LEGACY_UNAVAILABLE", "account": "acc_1",
                "ids": ["job_a", "job_b", "job_c", "job_d", "job_e"]},
     "matched": 14, "acted": 12, "refused": 2},
    {"sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
     "bytes": 48213, "format": "csv", "filename": "Xero contacts.csv", "migration": None},
    {"key_prefix": "mwk_1a2b3c", "label": "billing sync", "operator": False,
     "accounts": ["acc_1"], "new_key_id": 14, "new_key_prefix": "mwk_4d5e6f",
     "grace_ends": "2026-12-07T03:02:21.771268+00:00", "expires_at": None},
    {"kind": "toy", "was": "running", "bulk": "bulk_01", "operator": True, "zebra": [],
     "apple": {}, "seconds": 1.2345, "whole": 2.0, "tiny": 1e-7, "rows": 0, "name": ""},
    {"grace_ends": "2026-12-07T05:02:21+02:00", "at_night": "not a time", "bytes": 999},
    *({"bytes": n} for n in (0, 1000, 999_949, 999_950, 1_250_000, 12_345_678_901)),
    {},
]
WHO: list[dict[str, Any]] = [
    {"actor": "operator", "key_prefix": "mwo_1a2b3c", "key_label": "ops laptop"},
    {"actor": "account", "key_prefix": "mwk_1a2b3c", "key_label": None},
    {"actor": "cli", "key_prefix": None, "key_label": "alice@host"},
    {"actor": "service", "key_prefix": None, "key_label": None},
]


def _functions(text: str, *names: str) -> str:
    """The named top-level functions of the page's script (or of a file spliced into it)."""
    return "\n".join(re.search(rf"\n  function {name}\(.*?\n  }}\n", text, re.DOTALL)
                     .group(0) for name in names)  # type: ignore[union-attr]


def _constant(text: str, name: str) -> str:
    found = re.search(rf"\n  const {name} = .*?;\n", text, re.DOTALL)
    assert found is not None, name
    return found.group(0)


def test_the_audit_details_read_as_the_clis(browser: Browser) -> None:
    """The audit panel's formatting, run in the browser, against `ops audit`'s on the same
    entries: details (sizes, short SHA-256s, times in UTC, lists, filters, order) and who;
    and the page offers the actions the CLI takes, which are the API's."""
    page, panel = PAGE.read_text(encoding="utf-8"), AUDIT_JS.read_text(encoding="utf-8")
    source = "\n".join([
        _functions(page, "fixed", "fmtTime"),
        *(_constant(panel, name) for name in ("AUDIT_ACTIONS", "DETAIL_ORDER", "SHA_SHOWN")),
        _functions(panel, "fmtBytes", "fmtList", "detailText", "detailsText", "whoText")])
    browser.driver.get("about:blank")
    # as JSON text: WebDriver would sort an object's keys, and their order is the API's
    shown = browser.js(source + """
        return {details: arguments[0].map((d) => detailsText(JSON.parse(d))),
                who: arguments[1].map(whoText), actions: AUDIT_ACTIONS};""",
                       [json.dumps(d) for d in DETAILS], WHO)
    assert shown["details"] == [details_text(d) for d in DETAILS]
    assert shown["who"] == [who(w) for w in WHO]
    assert shown["details"][0] == (
        "filter status=failed, error_code=LEGACY_UNAVAILABLE, account=acc_1, ids=job_a, "
        "job_b, job_c +2 more · matched 14 · acted 12 · refused 2")
    assert shown["details"][1] == ("filename Xero contacts.csv · format csv · bytes 48.2 kB "
                                   "· sha256 9f86d081884c…")
    assert "grace ends 2026-12-07 03:02:21Z" in shown["details"][2]
    assert "grace ends 2026-12-07 03:02:21Z" in shown["details"][4]  # +02:00, in UTC
    assert shown["actions"] == list(ACTIONS)
    described = AuditEntryOut.model_fields["action"].description or ""
    assert set(ACTIONS) == set(re.findall(r"\b[a-z]+\.[a-z_]+\b", described)) - {"object.verb"}
