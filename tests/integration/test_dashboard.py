"""The operators' dashboard (GET /dashboard) in a real headless Chromium against the live web
and worker processes: it signs in from `#key=…` and drops the key from the address bar,
shows what /ops/summary says, follows a running job's steps live, retries failed jobs by
error code and one by one, rotates a key (its successor shown once) and revokes one (the
API refuses it), shows the audit log's who and what, filtered and paged, pauses, tells an
account key it is not an operator's, and no request leaves the host (its CSP allows
none)."""

from __future__ import annotations

import asyncio
import re
import subprocess
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import urlsplit

import asyncpg
import httpx
import pytest
from arq.connections import ArqRedis
from selenium.webdriver.support.select import Select

from harness.keys import key_answer
from harness.processes import Proc, create_key, python_module
from harness.waits import eventually
from tests.support.browser import Browser, start_chromium
from tests.support.toys import create_toy_job, job_row
from worker.store import audit

KEY_STORAGE = "migration-worker.operator-key"
STATUSES = ("pending", "running", "completed", "failed", "cancelled")
OPERATOR_LABEL = "dashboard tests"
AUDIT_PAGE = 20  # the audit panel's page (audit.js)
UTC_TIME = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$")


def labelled_operator_key(env: dict[str, str], label: str) -> str:
    """An operator's key with a label, as the audit log names who used it."""
    done = subprocess.run(python_module("api_stub", "create-key", "--operator", "--label",
                                        label), env=env, check=True, capture_output=True,
                          text=True)
    return done.stdout.strip().splitlines()[-1]


@pytest.fixture(scope="module")
def operator_key(service_env: dict[str, str]) -> str:
    return labelled_operator_key(service_env, OPERATOR_LABEL)


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    # the client's own log (it holds the key of a #key= link it opened), kept apart from
    # the service's logs, which must hold no secret (test_secrets)
    session = start_chromium(tmp_path_factory.mktemp("browser"))
    yield session
    session.driver.quit()


@pytest.fixture
async def ops(web: str, operator_key: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=web, timeout=30,
                                 headers={"Authorization": f"Bearer {operator_key}"}) as http:
        yield http


def open_dashboard(browser: Browser, web: str, key: str, fragment: str = "") -> None:
    """A fresh load of the page (not a same-document hash change), signed in with `key`."""
    browser.driver.get("about:blank")
    browser.driver.get(f"{web}/dashboard#key={key}{fragment}")
    browser.wait(lambda: browser.visible("#controls") or browser.visible("#auth-error"),
                 "the page signed in, or said why not")


def stored_key(browser: Browser) -> str | None:
    key = browser.js("return sessionStorage.getItem(arguments[0])", KEY_STORAGE)
    return None if key is None else str(key)


async def _status(db: asyncpg.Pool, job_id: str) -> str:
    return str((await job_row(db, job_id))["status"])


def _account() -> str:
    return "acc_dash_" + uuid.uuid4().hex[:8]


async def test_the_page_is_self_contained_under_a_strict_csp(web: str) -> None:
    async with httpx.AsyncClient(base_url=web, timeout=10) as http:
        response = await http.get("/dashboard")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/html")
    csp = {d.split()[0]: d.split()[1:] for d in
           response.headers["content-security-policy"].split("; ")}
    assert csp["default-src"] == ["'none'"]
    assert csp["connect-src"] == ["'self'"]
    assert csp["form-action"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert all(v.startswith("'sha256-") for v in csp["script-src"] + csp["style-src"])
    assert response.headers["referrer-policy"] == "no-referrer"
    html = response.text
    # nothing from another host: no absolute or protocol-relative URL in src, href, url()
    assert not re.search(r"""(src|href|action)\s*=\s*["']?\s*(https?:)?//""", html, re.I)
    assert not re.search(r"""url\(\s*["']?\s*(https?:)?//""", html, re.I)
    assert "@import" not in html
    assert len(re.findall(r"<script\b", html)) == 1  # the inline one, which the CSP hashes
    # keys.js and audit.js are in it, spliced where page.html names them
    assert "// @include" not in html
    assert "function keyState(" in html
    assert "function detailsText(" in html


async def test_signs_in_from_the_fragment_and_drops_the_key(
        browser: Browser, web: str, operator_key: str) -> None:
    open_dashboard(browser, web, operator_key)
    browser.wait(lambda: browser.js("return document.getElementById('status')"
                                    ".dataset.state") == "live", "the page refreshes")
    assert operator_key not in browser.driver.current_url
    assert browser.driver.current_url == f"{web}/dashboard"
    assert stored_key(browser) == operator_key
    assert not browser.visible("#signin-view")
    browser.click("#signout", "sign out")
    browser.wait(lambda: browser.visible("#signin-view"), "the sign-in form")
    assert stored_key(browser) is None
    # the form signs in as well, and the key goes nowhere but sessionStorage
    browser.type("#key-input", operator_key, "the key")
    browser.click("#signin button[type=submit]", "sign in")
    browser.wait(lambda: browser.visible("#overview-view"), "the overview after the form")
    assert stored_key(browser) == operator_key
    assert browser.driver.current_url == f"{web}/dashboard"


async def test_shows_the_counts_of_the_summary(
        browser: Browser, web: str, operator_key: str, ops: httpx.AsyncClient,
        db: asyncpg.Pool, arq_redis: ArqRedis, queue_name: str, worker: Proc) -> None:
    done = await create_toy_job(db, arq_redis, queue_name, ticks=2, account=_account())
    await eventually(lambda: _is(db, done, "completed"), "the toy job completed")
    open_dashboard(browser, web, operator_key)

    async def same() -> dict[str, Any] | None:
        summary = (await ops.get("/ops/summary")).json()
        shown = browser.js("""
            const jobs = {};
            for (const td of document.querySelectorAll('#jobs-body td[data-kind]')) {
              if (td.dataset.status === 'total') continue;
              (jobs[td.dataset.kind] ??= {})[td.dataset.status] = Number(td.textContent);
            }
            return {jobs, depth: document.getElementById('queue-depth').textContent,
                    completed: Number(document.getElementById('tp-completed').textContent)};
        """)
        expected = {"jobs": summary["jobs"], "depth": str(summary["queue"]["depth"]),
                    "completed": sum(m["completed"] for m in summary["throughput"])}
        return summary if shown == expected and summary["jobs"]["toy"]["completed"] else None

    # both move with other jobs: wait for a refresh of the page to meet the API's answer
    summary = await eventually(same, "the page shows the summary's counts", timeout=15)
    assert isinstance(summary, dict)
    cell = '#jobs-body td[data-kind="toy"][data-status="completed"]'
    assert int(browser.text(cell)) == summary["jobs"]["toy"]["completed"] >= 1
    assert str(worker.pid) in browser.text("#workers-body")


async def test_a_jobs_steps_move_live(
        browser: Browser, web: str, operator_key: str, db: asyncpg.Pool, arq_redis: ArqRedis,
        queue_name: str, worker: Proc) -> None:
    ticks = 30  # step 1 ends at once; step 2 ticks for about 4 s, a checkpoint a tick
    job = await create_toy_job(db, arq_redis, queue_name, ticks=ticks, tick_seconds=0.12,
                               account=_account())
    open_dashboard(browser, web, operator_key, f"&job={job}")
    assert browser.driver.current_url == f"{web}/dashboard#job={job}"
    browser.wait(lambda: browser.text("#job-id") == job, "the job's view")
    browser.js("window.sameDocument = true")  # gone if anything reloads the page
    seen: list[tuple[str, int]] = []
    for _ in range(200):
        steps = browser.js("""
            return [...document.querySelectorAll('#timeline-body tr[data-step]')].map(tr => [
              tr.dataset.stepStatus,
              Number(tr.querySelector('[data-count="created"]').textContent)]);""")
        if len(steps) == 2:
            seen.append((steps[1][0], steps[1][1]))
            if steps[1][0] == "finished":
                break
        await asyncio.sleep(0.1)
    assert seen, "the job's steps never showed"
    assert seen[0][0] in {"not_started", "running"}, seen
    assert seen[-1] == ("finished", ticks), seen
    assert any(s == "running" and 0 < n < ticks for s, n in seen), seen  # counted as it ran
    assert browser.js("return window.sameDocument") is True
    browser.wait(lambda: browser.text("#job-status") == "completed", "the job completed")
    assert browser.text('#timeline-body tr[data-step="1"] [data-field="status"]') == "finished"


async def test_retries_failed_jobs_by_error_code_and_one_by_one(
        browser: Browser, web: str, operator_key: str, db: asyncpg.Pool, arq_redis: ArqRedis,
        queue_name: str, worker: Proc) -> None:
    account = _account()
    job = await create_toy_job(db, arq_redis, queue_name, ticks=-1, account=account)
    await eventually(lambda: _is(db, job, "failed"), "the broken toy job failed")
    open_dashboard(browser, web, operator_key)
    # only this test's account: a bulk retry must not re-run other tests' jobs
    browser.type("#filter-account", account, "the account filter")
    browser.click("#filter button[type=submit]", "apply the filter")
    group = '#failed-groups [data-error-group="TOY_BROKEN"]'
    # the unfiltered list, drawn first, may hold other tests' TOY_BROKEN jobs too
    browser.wait(lambda: browser.text(f'{group} [data-field="count"]') == "1 job"
                 and browser.visible(f'{group} tr[data-job-id="{job}"]'),
                 "the job alone under TOY_BROKEN, once filtered")
    browser.click(f'{group} button[data-action="retry-group"]', "retry all")
    browser.wait(lambda: browser.visible(f"{group} button[data-armed]"), "the armed button")
    browser.click(f"{group} button[data-armed]", "the confirming click")
    browser.wait(lambda: "1 matched, 1 acted on" in browser.text("#notice"), "the result")
    await eventually(lambda: _attempts(db, job, 2), "the job ran a second time")
    # it fails again (still broken); then its own Retry button
    await eventually(lambda: _is(db, job, "failed"), "the job failed again")
    row = f'{group} tr[data-job-id="{job}"]'
    browser.wait(lambda: browser.text(f'{row} [data-field="attempts"]') == "2",
                 "the second attempt shown")
    browser.click(f'{row} button[data-action="retry"]', "the job's retry")
    await eventually(lambda: _attempts(db, job, 3), "the job ran a third time")
    assert "retried" in browser.text("#notice")


def _confirm(browser: Browser, row: str, action: str) -> None:
    """A key's Revoke or Rotate: the click that arms it, then the one that confirms."""
    browser.click(f'{row} button[data-action="{action}"]', action)
    browser.wait(lambda: browser.visible(f"{row} button[data-armed]"), f"the armed {action}")
    browser.click(f"{row} button[data-armed]", f"the confirming {action}")


async def test_the_keys_panel_rotates_and_revokes(
        browser: Browser, web: str, operator_key: str, service_env: dict[str, str]) -> None:
    account = _account()
    key = await asyncio.to_thread(create_key, service_env, account)
    open_dashboard(browser, web, operator_key)
    row = f'#keys-body tr[data-key-prefix="{key[:10]}"]'
    browser.wait(lambda: browser.text(f'{row} [data-field="state"]') == "active",
                 "the key listed, active")
    assert browser.text(f'{row} [data-field="whose"]') == account

    # Rotate: a second click confirms; the new key is shown once, with what to do about it
    _confirm(browser, row, "rotate-key")
    browser.wait(lambda: browser.visible("#new-key"), "the new key")
    new_key = browser.text("#new-key-value")
    assert new_key.startswith("mwk_")
    assert new_key != key
    assert "Copy it now: it is not shown again" in browser.text("#new-key")
    assert await key_answer(web, new_key) == (200, None)
    assert await key_answer(web, key) == (200, None)  # for its grace period (a day)
    browser.wait(lambda: browser.text(f'{row} [data-field="state"]').startswith(
        "in grace until "), "the old key in its grace period")
    browser.click("#new-key-done", "done")
    assert not browser.visible("#new-key")
    assert new_key not in browser.js("return document.documentElement.outerHTML")
    assert new_key not in browser.driver.current_url

    # Revoke the new one: the API refuses it within a second
    new_row = f'#keys-body tr[data-key-prefix="{new_key[:10]}"]'
    browser.wait(lambda: browser.text(f'{new_row} [data-field="state"]') == "active",
                 "the new key listed")
    _confirm(browser, new_row, "revoke-key")
    browser.wait(lambda: "revoked" in browser.text("#keys-note"), "the revocation said")

    async def refused() -> bool:
        return await key_answer(web, new_key) == (401, "API_KEY_REVOKED")

    await eventually(refused, "the API refuses the key revoked on the page", timeout=5)
    browser.wait(lambda: browser.text(f'{new_row} [data-field="state"]').startswith(
        "revoked "), "the key shown revoked")
    assert not browser.visible(f'{new_row} button[data-action]')  # nothing more to do to it


AUDIT_ROWS = """return [...document.querySelectorAll('#audit-body tr[data-audit-id]')].map(tr =>
  Object.fromEntries([['id', tr.dataset.auditId], ['action', tr.dataset.action],
    ...[...tr.querySelectorAll('[data-field]')].map(td => [td.dataset.field, td.innerText]),
    ['at', tr.cells[0].innerText]]));"""


def _audit_rows(browser: Browser) -> list[dict[str, str]]:
    return list(browser.js(AUDIT_ROWS))


def _actions(browser: Browser) -> list[str]:
    return [row["action"] for row in _audit_rows(browser)]


async def test_the_audit_panel_shows_who_did_what_filters_and_pages(
        browser: Browser, web: str, operator_key: str, service_env: dict[str, str],
        ops: httpx.AsyncClient, db: asyncpg.Pool) -> None:
    account = _account()
    key = await asyncio.to_thread(create_key, service_env, account)  # key.created (the CLI)
    # older entries of the account, enough for a second page
    for n in range(AUDIT_PAGE + 4):
        await audit.record(db, audit.SERVICE, "test.filler", subject=f"filler-{n}",
                           account_id=account, details={"n": n})
    revoked = await ops.post(f"/ops/keys/{key[:10]}/revoke")  # the action just before
    assert revoked.status_code == 200, revoked.text
    open_dashboard(browser, web, operator_key)
    browser.type("#audit-account", account, "the audit's account filter")
    browser.click("#audit-filter button[type=submit]", "apply")
    browser.wait(lambda: _actions(browser)[:1] == ["key.revoked"]
                 and len(_actions(browser)) == AUDIT_PAGE, "the account's newest entries")
    newest = _audit_rows(browser)[0]
    assert newest["who"] == f"operator {operator_key[:10]} ({OPERATOR_LABEL})"
    assert newest["account"] == account
    assert newest["subject"] == str(revoked.json()["id"])
    assert newest["address"] == "127.0.0.1"
    assert newest["details"] == f"key prefix {key[:10]} · accounts {account}"
    assert UTC_TIME.match(newest["at"]), newest

    # paging: the older entries, then back
    browser.click("#audit-older", "older")
    browser.wait(lambda: _actions(browser) == ["test.filler"] * 5 + ["key.created"],
                 "the second page: the oldest entries")
    created = _audit_rows(browser)[-1]
    assert created["who"].startswith("cli ")
    assert browser.js("return document.getElementById('audit-older').disabled") is True
    assert "page 2" in browser.text("#audit-page")
    browser.click("#audit-newer", "newer")
    browser.wait(lambda: _actions(browser)[:1] == ["key.revoked"], "the first page again")

    # filters: a family of actions, then a key's prefix
    Select(browser.driver.find_element("css selector", "#audit-action")).select_by_value("key")
    browser.wait(lambda: _actions(browser) == ["key.revoked", "key.created"], "key.* only")
    browser.type("#audit-key", operator_key[:10], "the key prefix filter")
    browser.click("#audit-filter button[type=submit]", "apply")
    browser.wait(lambda: _actions(browser) == ["key.revoked"], "this operator's key only")
    browser.type("#audit-key", "mwk_nope", "a prefix that is none")
    browser.click("#audit-filter button[type=submit]", "apply")
    browser.wait(lambda: browser.visible("#audit-error"), "the prefix refused")
    assert browser.text("#audit-error").startswith("A key prefix is mwk_ or mwo_")
    assert _actions(browser) == ["key.revoked"]  # the last filter still applies


async def test_pauses_and_resumes(browser: Browser, web: str, operator_key: str) -> None:
    open_dashboard(browser, web, operator_key)
    browser.click("#pause", "pause")
    browser.wait(lambda: browser.text("#pause") == "Resume", "paused")
    await asyncio.sleep(0.5)  # a refresh under way when the button was clicked may still end
    browser.drain_logs()
    before = len(browser.requests)
    await asyncio.sleep(2.5)  # longer than a refresh period
    browser.drain_logs()
    assert len(browser.requests) == before, browser.requests[before:]
    browser.click("#pause", "resume")

    def refreshed() -> bool:
        browser.drain_logs()
        return any(r["url"].endswith("/ops/summary") for r in browser.requests[before:])

    browser.wait(refreshed, "refreshing again")
    assert browser.js("return document.getElementById('status').dataset.state") == "live"
    assert browser.text("#pause") == "Pause"


OPS_FETCHES = """return performance.getEntriesByType('resource')
                   .filter(e => e.name.includes('/ops/')).map(e => e.startTime)"""


async def test_does_not_poll_while_the_tab_is_hidden(browser: Browser, web: str,
                                                     operator_key: str) -> None:
    open_dashboard(browser, web, operator_key)
    browser.js("""performance.setResourceTimingBufferSize(10000);
                  window.shown = [];
                  // captured on the way down: noted before the page's own listener runs
                  window.addEventListener('visibilitychange',
                    () => shown.push([document.visibilityState, performance.now()]), true);""")
    mine = browser.driver.current_window_handle
    browser.driver.switch_to.new_window("tab")  # hides the dashboard's tab
    await asyncio.sleep(2.6)  # longer than a refresh period
    browser.driver.close()
    browser.driver.switch_to.window(mine)
    browser.wait(lambda: len(browser.js("return window.shown")) == 2, "hidden, then shown")
    (hidden, hidden_at), (shown, shown_at) = browser.js("return window.shown")
    assert (hidden, shown) == ("hidden", "visible")
    assert shown_at - hidden_at > 2400
    assert [t for t in browser.js(OPS_FETCHES) if hidden_at < t < shown_at] == []
    browser.wait(lambda: any(t > shown_at for t in browser.js(OPS_FETCHES)),
                 "refreshing once shown again")


async def test_an_account_key_is_told_it_is_not_an_operators(
        browser: Browser, web: str, api_key: str) -> None:
    open_dashboard(browser, web, api_key)
    browser.wait(lambda: browser.visible("#auth-error"), "the refusal")
    banner = browser.driver.find_element("css selector", "#auth-error")
    assert banner.get_attribute("data-code") == "OPERATOR_ONLY"
    assert "OPERATOR_ONLY" in banner.text
    assert "operator" in banner.text.lower()
    assert browser.visible("#signin-view")
    assert not browser.visible("#overview-view")
    assert stored_key(browser) is None  # a key that cannot read /ops is not kept
    assert api_key not in browser.driver.current_url


async def test_no_request_leaves_the_host(browser: Browser, web: str, operator_key: str,
                                          worker: Proc) -> None:
    # after the tests above (the same browser): every request any of them made, and a job view
    open_dashboard(browser, web, operator_key, "&job=job_000000000000000000000000")
    browser.wait(lambda: "no migration job" in browser.text("#job-fields"), "job not found")
    browser.driver.get(f"{web}/dashboard")
    browser.wait(lambda: browser.visible("#overview-view"), "the overview (key kept)")
    await asyncio.sleep(2.5)  # a refresh
    browser.drain_logs()
    host = urlsplit(web).netloc
    urls = [r["url"] for r in browser.requests]
    assert any(u.startswith(f"{web}/ops/summary") for u in urls), urls
    outside = [u for u in urls if not (urlsplit(u).netloc == host
                                       or u.startswith(("data:", "about:")))]
    assert outside == []
    assert not any(operator_key in u for u in urls)  # the key never in a URL
    refused = [m for m in browser.console
               if "Content Security Policy" in m["message"] or "Trusted Type" in m["message"]]
    assert refused == []  # the hashed script and style run, and nothing else was tried


async def _is(db: asyncpg.Pool, job_id: str, status: str) -> bool:
    return await _status(db, job_id) == status


async def _attempts(db: asyncpg.Pool, job_id: str, attempts: int) -> bool:
    return int((await job_row(db, job_id))["attempts"]) == attempts
