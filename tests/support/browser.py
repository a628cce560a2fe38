"""A real headless browser for the dashboard's tests: Debian's chromium and chromium-driver,
driven by Selenium with both paths given, so that Selenium Manager is never asked to find
or download anything. Without them the tests skip, saying what to install."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pytest
from selenium import webdriver
from selenium.common.exceptions import (
    ElementClickInterceptedException,
    NoSuchElementException,
    StaleElementReferenceException,
    TimeoutException,
)
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.wait import WebDriverWait

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
NOT_INSTALLED = ("Debian's chromium and chromium-driver are not installed ({missing} "
                 "missing): apt-get install chromium chromium-driver (.ci/run does it as root)")
ARGUMENTS = (
    "--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,1000",
    # the browser's own traffic (updates, sync, field trials) is none of the page's business
    "--no-first-run", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--disable-default-apps", "--disable-extensions",
)
# DOM elements may be redrawn by the page's refresh between finding and using them
RACES = (StaleElementReferenceException, NoSuchElementException,
         ElementClickInterceptedException)

T = TypeVar("T")


@dataclass
class Browser:
    """A Chromium session, with the network requests and console messages it logged."""

    driver: webdriver.Chrome
    requests: list[dict[str, Any]] = field(default_factory=list)
    console: list[dict[str, Any]] = field(default_factory=list)

    def drain_logs(self) -> None:
        """Move what Chromium logged since the last call into `requests` and `console`."""
        # get_log is not annotated in Selenium: narrow its answer here
        performance: list[dict[str, Any]] = self.driver.get_log(  # type: ignore[no-untyped-call]
            "performance")
        for entry in performance:
            message = json.loads(entry["message"])["message"]
            if message.get("method") == "Network.requestWillBeSent":
                self.requests.append(message["params"]["request"])
        self.console.extend(self.driver.get_log("browser"))  # type: ignore[no-untyped-call]

    def js(self, script: str, *args: Any) -> Any:
        return self.driver.execute_script(script, *args)

    def wait(self, check: Callable[[], T], what: str, timeout: float = 15) -> T:
        """Poll `check` until it returns something truthy (DOM races count as not yet)."""
        try:
            result: T = WebDriverWait(self.driver, timeout, poll_frequency=0.1,
                                      ignored_exceptions=RACES).until(
                lambda _: check(), message=f"still not true after {timeout} s: {what}")
        except TimeoutException:
            self.dump()
            raise
        return result

    def click(self, css: str, what: str) -> None:
        """Click the element at `css`, again if the page redrew it meanwhile."""
        def clicked() -> bool:
            self.driver.find_element(By.CSS_SELECTOR, css).click()
            return True

        self.wait(clicked, f"clicked {what} ({css})")

    def type(self, css: str, text: str, what: str) -> None:
        """Type `text` into the input at `css`, again if the page redrew it meanwhile."""
        def typed() -> bool:
            found = self.driver.find_element(By.CSS_SELECTOR, css)
            found.clear()  # a second try must not type the text twice
            found.send_keys(text)
            return True

        self.wait(typed, f"typed into {what} ({css})")

    # read in one script, so that a redraw between finding and reading cannot interfere
    def text(self, css: str) -> str:
        """The rendered text of the element at `css`."""
        found = self.js("const e = document.querySelector(arguments[0]);"
                        "return e === null ? null : e.innerText", css)
        if found is None:
            raise NoSuchElementException(css)
        return str(found)

    def visible(self, css: str) -> bool:
        return bool(self.js("const e = document.querySelector(arguments[0]);"
                            "return e !== null && e.checkVisibility()", css))

    def dump(self) -> None:
        """What the page showed, for the failure's report."""
        try:
            body = self.driver.find_element(By.TAG_NAME, "body").text
            print(f"--- page at {self.driver.current_url}:\n{body[:4000]}")
            self.drain_logs()
            print("--- console:", *self.console[-20:], sep="\n")
        except Exception as exc:  # a report of a report's failure is not worth a traceback
            print(f"(could not read the page: {exc!r})")


def start_chromium(logs_dir: Path) -> Browser:
    """A fresh headless Chromium logging every network request; skips when not installed."""
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not os.access(p, os.X_OK)]
    if missing:
        pytest.skip(NOT_INSTALLED.format(missing=", ".join(missing)))
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in ARGUMENTS:
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    service = Service(executable_path=str(CHROMEDRIVER),
                      log_output=str(logs_dir / "chromedriver.log"))
    started = time.monotonic()
    driver = webdriver.Chrome(service=service, options=options)
    driver.set_page_load_timeout(30)
    print(f"chromium started in {time.monotonic() - started:.1f} s")
    return Browser(driver)
