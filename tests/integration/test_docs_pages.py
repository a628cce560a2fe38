"""/docs (Swagger UI) and /redoc (ReDoc) work offline: a real headless Chromium whose every
request off the loopback fails (a resolver that finds no name, and a proxy that is not
there) renders both pages from the files the service ships, at a desktop's and a phone's
width, and no request it made left the web process's address. The web process has the
default anonymous rate limit: loading the pages' files is normal use, never refused."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

from api_stub.docs_pages import ASSETS_URL
from harness.processes import free_port
from tests.support.browser import ARGUMENTS, CHROMEDRIVER, CHROMIUM, NOT_INSTALLED, Browser
from tests.support.web import Web, own_web

# the defaults (worker/settings.py), which the suite's service_env raises
DEFAULT_ANONYMOUS_LIMITS = {"RATE_LIMIT_ANONYMOUS_PER_SECOND": "10",
                            "RATE_LIMIT_ANONYMOUS_BURST": "30"}
# (width, height, a phone?): the dashboard's test widths
SCREENS = [(1440, 900, False), (375, 812, True)]
# what FastAPI's own pages load, from elsewhere
CDN_FILE = "https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/swagger-ui.css"
RESOURCES = """return performance.getEntriesByType('resource')
                   .map(e => ({name: e.name, status: e.responseStatus}))"""


@pytest.fixture(scope="module")
async def web(service_env: dict[str, str], logs_dir: Path) -> AsyncIterator[Web]:
    async with own_web("web-docs", {**service_env, **DEFAULT_ANONYMOUS_LIMITS},
                       logs_dir) as proc:
        yield proc


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    session = offline_chromium(tmp_path_factory.mktemp("docs-browser"))
    yield session
    session.driver.quit()


@pytest.fixture(scope="module")
async def title(web: Web) -> str:
    """The API's title, as /openapi.json gives it to both pages."""
    async with httpx.AsyncClient(base_url=web.url, timeout=10) as http:
        title = (await http.get("/openapi.json")).json()["info"]["title"]
    assert isinstance(title, str)
    assert title
    return title


@pytest.fixture(scope="module")
def screens(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where each render is saved, to be looked at (not kept in the repository)."""
    return tmp_path_factory.mktemp("docs-screenshots")


def offline_chromium(logs_dir: Path) -> Browser:
    """tests.support.browser's Chromium, with every request off the loopback failing."""
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not os.access(p, os.X_OK)]
    if missing:
        pytest.skip(NOT_INSTALLED.format(missing=", ".join(missing)))
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in ARGUMENTS:
        options.add_argument(argument)
    # no name resolves, and a host named by its address goes through a proxy on a port where
    # nothing listens; Chromium never sends the loopback through a proxy
    options.add_argument("--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1")
    options.add_argument(f"--proxy-server=http://127.0.0.1:{free_port()}")
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    service = Service(executable_path=str(CHROMEDRIVER),
                      log_output=str(logs_dir / "chromedriver.log"))
    driver = webdriver.Chrome(service=service, options=options)
    driver.set_page_load_timeout(30)
    return Browser(driver)


def open_page(browser: Browser, url: str, screen: tuple[int, int, bool]) -> None:
    """A fresh load of `url` in a viewport of `screen`, its logs and timings from it alone."""
    width, height, mobile = screen
    browser.driver.get("about:blank")
    browser.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile})
    browser.drain_logs()
    browser.requests.clear()
    browser.driver.get(url)
    assert browser.js("return window.innerWidth") == width


def stayed_home(browser: Browser, web: str, *expected: str) -> None:
    """Every request of the page went to the web process, was served, and `expected`
    (paths) were among them."""
    resources: list[dict[str, Any]] = browser.js(RESOURCES)
    assert [r for r in resources if not r["name"].startswith(f"{web}/")] == []
    # 0 is a file read from the cache; a refusal (429) or a missing file would show here
    assert [r for r in resources if r["status"] not in (0, 200, 304)] == []
    loaded = {urlsplit(r["name"]).path for r in resources}
    assert set(expected) <= loaded, loaded
    # the browser's own log has the requests that failed too (which timings may not list);
    # data: and the page's own blob: URLs (ReDoc's search worker) are read within the browser
    browser.drain_logs()
    outside = [r["url"] for r in browser.requests
               if not r["url"].startswith((f"{web}/", "data:", f"blob:{web}/"))]
    assert outside == []


async def test_the_pages_name_only_files_of_this_host(web: Web) -> None:
    async with httpx.AsyncClient(base_url=web.url, timeout=10) as http:
        pages = {path: await http.get(path) for path in ("/docs", "/redoc")}
        for path, page in pages.items():
            assert page.status_code == 200, (path, page.text)
            assert "//" not in page.text.replace("http://www.w3.org/", ""), page.text
        assert f'src="{ASSETS_URL}/swagger-ui-bundle.js"' in pages["/docs"].text
        assert f'href="{ASSETS_URL}/swagger-ui.css"' in pages["/docs"].text
        assert f'src="{ASSETS_URL}/redoc.standalone.js"' in pages["/redoc"].text
        for name, kind in [("swagger-ui-bundle.js", "text/javascript"),
                           ("swagger-ui.css", "text/css"),
                           ("redoc.standalone.js", "text/javascript"),
                           ("favicon.png", "image/png")]:
            asset = await http.get(f"{ASSETS_URL}/{name}")
            assert asset.status_code == 200, (name, asset.text[:200])
            assert asset.headers["content-type"].startswith(kind), asset.headers
            assert int(asset.headers["content-length"]) > 1000
        # ReDoc's script as shipped loads Redocly's logo from their CDN: not this one
        redoc = await http.get(f"{ASSETS_URL}/redoc.standalone.js")
        assert b"cdn.redoc.ly" not in redoc.content
        again = await http.get(f"{ASSETS_URL}/redoc.standalone.js",
                               headers={"If-None-Match": redoc.headers["etag"]})
        assert again.status_code == 304
        # the OAuth2 redirect page FastAPI serves along with /docs is still there
        assert (await http.get("/docs/oauth2-redirect")).status_code == 200
        assert (await http.get(f"{ASSETS_URL}/")).status_code == 404  # no listing
        assert (await http.get(f"{ASSETS_URL}/../../app.py")).status_code == 404


@pytest.mark.parametrize("screen", SCREENS, ids=lambda s: f"{s[0]}px")
async def test_swagger_ui_renders_offline(browser: Browser, web: Web, title: str,
                                          screens: Path, screen: tuple[int, int, bool]
                                          ) -> None:
    open_page(browser, f"{web.url}/docs", screen)
    browser.wait(lambda: browser.text(".swagger-ui .info .title").startswith(title),
                 "Swagger UI shows the API's title")
    browser.wait(lambda: browser.js("return document.querySelectorAll('.opblock').length")
                 > 10, "Swagger UI lists the operations of /openapi.json")
    assert browser.js("return window.SwaggerUIBundle !== undefined")
    stayed_home(browser, web.url, f"{ASSETS_URL}/swagger-ui-bundle.js",
                f"{ASSETS_URL}/swagger-ui.css", "/openapi.json")
    browser.driver.save_screenshot(str(screens / f"docs-{screen[0]}.png"))


@pytest.mark.parametrize("screen", SCREENS, ids=lambda s: f"{s[0]}px")
async def test_redoc_renders_offline(browser: Browser, web: Web, title: str, screens: Path,
                                     screen: tuple[int, int, bool]) -> None:
    open_page(browser, f"{web.url}/redoc", screen)
    browser.wait(lambda: browser.visible(".redoc-wrap") and browser.text(
        ".api-content h1").startswith(title), "ReDoc shows the API's title")
    browser.wait(lambda: browser.js(
        "return document.querySelectorAll('[data-section-id^=\"operation/\"]').length") > 10,
        "ReDoc lists the operations of /openapi.json")
    stayed_home(browser, web.url, f"{ASSETS_URL}/redoc.standalone.js", "/openapi.json")
    browser.driver.save_screenshot(str(screens / f"redoc-{screen[0]}.png"))


async def test_the_network_is_cut(browser: Browser, web: Web) -> None:
    """The control: from the same browser, FastAPI's CDN (by name) and an address off the
    loopback are out of reach, so the pages above loaded with nothing but this host."""
    browser.driver.get(f"{web.url}/docs")
    for url in (CDN_FILE, "http://192.0.2.1/"):  # 192.0.2.0/24: reserved for documentation
        failed = browser.driver.execute_async_script("""
            const done = arguments[arguments.length - 1];
            fetch(arguments[0], {mode: 'no-cors', cache: 'no-store'})
              .then(() => done('fetched'), e => done(String(e)));""", url)
        assert failed.startswith("TypeError"), (url, failed)
