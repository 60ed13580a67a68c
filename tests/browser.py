"""Pages in a real browser: Debian's Chromium (/usr/bin/chromium) driven by Playwright's Python package.

We never run ``playwright install`` (it downloads its own browsers); ``make test`` installs the
distribution's Chromium when it is missing. Where the browser or the package is not there, a test
that needs them is skipped and says why; under ``CI=true`` it fails instead.

Use it with pytest-django's ``live_server`` fixture::

    def test_the_dashboard_draws_its_chart(live_server, reference):
        ensure_demo_people(password=PASSWORD)
        with Browser(live_server.url) as browser:
            browser.login("supervisor", PASSWORD)
            browser.open("/sla/")
            browser.screenshot("sla_dashboard")  # tests/artifacts/sla_dashboard.png

The ``live_server`` fixture makes the test transactional, so rows the test writes are visible to
the server's thread. While the browser is open Playwright runs an event loop in the test's thread,
and Django refuses ORM calls from a thread with a running loop; ``Browser`` allows them for its
lifetime (DJANGO_ALLOW_ASYNC_UNSAFE), which is safe here because nothing else runs in that thread.
Such calls use a database connection of their own, which ``Browser`` closes on the way out.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.db import connections

CHROMIUM = os.getenv("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
VIEWPORT = {"width": 1366, "height": 768}  # the supervisors' usual screen


def browser_missing() -> str | None:
    """Why a browser test cannot run here, or None when it can."""
    if not Path(CHROMIUM).exists():
        return f"no Chromium at {CHROMIUM}: `make test` installs it (apt-get install chromium), or set CHROMIUM_PATH"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed: pip install -e '.[dev]' (never `playwright install`)"
    return None


def require_browser() -> None:
    """Skip the calling test with the reason, or fail it when CI=true."""
    reason = browser_missing()
    if reason is None:
        return
    if os.getenv("CI", "").lower() == "true":
        pytest.fail(f"CI=true: browser tests must run here, but {reason}")
    pytest.skip(reason)


class Browser:
    """One headless Chromium with one page, logged in through the site's own /login/ form."""

    def __init__(self, base_url: str, *, viewport: dict | None = None):
        self.base_url = base_url.rstrip("/")
        self.viewport = viewport or VIEWPORT
        self.errors: list[str] = []  # JavaScript errors and failed requests seen by the page
        self._previous_async_unsafe: str | None = None

    def __enter__(self) -> Browser:
        require_browser()
        from playwright.sync_api import sync_playwright

        self._previous_async_unsafe = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
        self._playwright = sync_playwright().start()
        try:
            self._browser = self._playwright.chromium.launch(
                executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
            )
            self._context = self._browser.new_context(
                viewport=self.viewport, locale="zh-CN", timezone_id="Asia/Shanghai"
            )
            # Generous: the suite shares two cores with PostgreSQL, Celery workers and a live
            # server; a slow page is not a failure, a page that never shows its content is.
            self._context.set_default_timeout(120_000)
            self._context.set_default_navigation_timeout(120_000)
            self.page = self._context.new_page()
        except Exception:
            self.__exit__(None, None, None)
            raise
        self.page.on("pageerror", lambda error: self.errors.append(f"page error: {error}"))
        self.page.on("console", self._console)
        self.page.on("response", self._response)
        self.page.on("requestfailed", self._request_failed)
        return self

    def _request_failed(self, request) -> None:
        # Leaving a page cancels what it still had in flight (a debounced validation, say): the
        # reader sees nothing of it, so it is no error. Any other failure is.
        if request.failure != "net::ERR_ABORTED":
            self.errors.append(f"request failed: {request.url} ({request.failure})")

    def _console(self, message) -> None:
        # A failed load is also logged as "Failed to load resource" without its URL; _response names it.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.errors.append(f"console: {message.text}")

    def _response(self, response) -> None:
        # Browsers ask for /favicon.ico on their own; the site has none, and no page links to it.
        if response.status >= 400 and not response.url.endswith("/favicon.ico"):
            self.errors.append(f"HTTP {response.status}: {response.url}")

    def __exit__(self, *exc_info) -> None:
        # ORM calls made while the browser was open got database connections of their own (Django
        # keys connections by context, and Playwright's loop makes this a different one). Close
        # them here, still inside that context, or PostgreSQL cannot drop the test database.
        connections.close_all()
        for closing in ("_context", "_browser"):
            if hasattr(self, closing):
                getattr(self, closing).close()
        if hasattr(self, "_playwright"):
            self._playwright.stop()
        if self._previous_async_unsafe is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = self._previous_async_unsafe

    def url(self, path: str) -> str:
        return self.base_url + path

    def open(self, path: str):
        """Go to a path of the live server; returns Playwright's response."""
        return self.page.goto(self.url(path), wait_until="load")

    def login(self, username: str, password: str) -> None:
        self.open("/login/")
        self.page.fill("input[name=username]", username)
        self.page.fill("input[name=password]", password)
        with self.page.expect_navigation(wait_until="load"):
            self.page.click("main button[type=submit]")  # not the menu's log-out button
        if "/login/" in self.page.url:
            shown = self.page.locator("main").inner_text()[:300]
            raise AssertionError(f"could not log in as {username}: still on {self.page.url}: {shown}")

    def screenshot(self, name: str, *, full_page: bool = False) -> Path:
        """Save tests/artifacts/<name>.png (the directory is gitignored) and return its path."""
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=full_page)
        return path
