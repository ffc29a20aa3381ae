"""Headless Chromium for page tests: load a local file, collect console errors and every request.

Tests that need it take the ``browser`` fixture (tests/conftest.py), which skips with the
reason when Chromium or its driver is absent (Debian: ``apt-get install chromium
chromium-driver``; .ci/run installs them).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CHROMIUM = ("chromium", "chromium-browser", "google-chrome")
DRIVER = "chromedriver"


def find_chromium() -> tuple[str, str] | None:
    """Paths of a Chromium binary and its driver, or None."""
    browser = next((p for name in CHROMIUM if (p := shutil.which(name))), None)
    driver = shutil.which(DRIVER)
    return (browser, driver) if browser and driver else None


@dataclass
class PageVisit:
    """What loading a page did: console messages at level SEVERE, and every URL it requested."""

    console_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    @property
    def network_requests(self) -> list[str]:
        """Requests that leave the machine (anything but the file itself, data: and blob:)."""
        local = ("file://", "data:", "blob:", "about:", "chrome-extension://")
        return [url for url in self.requests if not url.startswith(local)]


class Browser:
    """One headless Chromium session (selenium); ``visit`` loads a local file in it."""

    def __init__(self, browser: str, driver: str) -> None:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service

        options = webdriver.ChromeOptions()
        options.binary_location = browser
        for argument in (
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--window-size=1400,1000",
        ):
            options.add_argument(argument)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
        self.driver = webdriver.Chrome(service=Service(driver), options=options)

    @contextmanager
    def visit(self, page: Path, settle_seconds: float = 1.0) -> Iterator[PageVisit]:
        """Load ``page`` and wait until it settled; yields the visit, then reads the logs again
        (whatever the test triggers on the page is included)."""
        import time

        self.driver.get_log("browser")  # forget earlier pages
        self.driver.get_log("performance")
        self.driver.get(page.resolve().as_uri())
        time.sleep(settle_seconds)
        visit = PageVisit()
        self._collect(visit)
        yield visit
        self._collect(visit)

    def _collect(self, visit: PageVisit) -> None:
        for entry in self.driver.get_log("browser"):
            if entry.get("level") == "SEVERE":
                visit.console_errors.append(entry.get("message", ""))
        for entry in self.driver.get_log("performance"):
            message: dict[str, Any] = json.loads(entry["message"])["message"]
            if message.get("method") == "Network.requestWillBeSent":
                visit.requests.append(message["params"]["request"]["url"])

    def screenshot(self, path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.driver.save_screenshot(str(path))
        return path

    def script(self, source: str, *args: Any) -> Any:
        return self.driver.execute_script(source, *args)

    def close(self) -> None:
        self.driver.quit()
