"""Fixtures for the browser tests: headless Chromium driven over the DevTools protocol.

Chromium is started with ``--remote-debugging-pipe``: DevTools Protocol messages are JSON
texts separated by NUL bytes on file descriptors 3 (to the browser) and 4 (from it), so the
standard library is enough (no websocket client). Nothing is installed here; without
Chromium the tests skip and say how to install it, except in CI (``CI=true``), where they fail.
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import select
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.fixtures.chromium import INSTALL_HINT, find_chromium, in_ci
from tests.fixtures.report_cohort import render_fixture_cohort

REPO = Path(__file__).resolve().parents[2]


def _high_fd(fd: int) -> int:
    """A duplicate of ``fd`` numbered 10 or above (the original is closed)."""
    high = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)
    os.close(fd)
    return high


class DevToolsError(RuntimeError):
    """The browser answered a command with an error, or did not answer in time."""


class Browser:
    """A headless Chromium process and a minimal DevTools Protocol client over pipes."""

    def __init__(self, executable: str, profile_dir: Path, timeout: float = 30.0) -> None:
        self.timeout = timeout
        to_browser_r, self._to_browser = os.pipe()
        self._from_browser, from_browser_w = os.pipe()
        # Move the child's ends above fd 9 so the shell redirections below cannot clash.
        to_browser_r, from_browser_w = (_high_fd(to_browser_r), _high_fd(from_browser_w))
        args = [
            executable,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-extensions",
            "--disable-default-apps",
            "--no-first-run",
            "--no-default-browser-check",
            "--host-resolver-rules=MAP * ~NOTFOUND",
            "--hide-scrollbars",
            f"--user-data-dir={profile_dir}",
            "--remote-debugging-pipe",
            "about:blank",
        ]
        # bash (dash allows only one-digit fds) puts the pipe ends on fds 3 and 4 for Chromium.
        wrapper = f'exec "$0" "$@" 3<&{to_browser_r} 4>&{from_browser_w}'
        self.proc = subprocess.Popen(
            ["/bin/bash", "-c", wrapper, *args],
            pass_fds=(to_browser_r, from_browser_w),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(to_browser_r)
        os.close(from_browser_w)
        self._buffer = b""
        self._next_id = 0
        self.events: list[dict[str, Any]] = []

    # -- protocol ---------------------------------------------------------------------------

    def _read_message(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise DevToolsError("timed out waiting for the browser")
            ready, _, _ = select.select([self._from_browser], [], [], left)
            if ready:
                chunk = os.read(self._from_browser, 1 << 20)
                if not chunk:
                    raise DevToolsError("the browser closed the DevTools pipe")
                self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(raw)

    def send(self, method: str, params: dict | None = None, session: str | None = None) -> dict:
        """Send one command and return its result; events seen meanwhile are kept."""
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._to_browser, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + self.timeout
        while True:
            reply = self._read_message(deadline)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise DevToolsError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            if "method" in reply:
                self.events.append(reply)

    def wait_for_event(self, method: str, session: str | None = None) -> dict[str, Any]:
        """Wait for (and return) the next event ``method`` of ``session``."""
        deadline = time.monotonic() + self.timeout
        for i, event in enumerate(self.events):
            if event["method"] == method and event.get("sessionId") == session:
                return self.events.pop(i)
        while True:
            event = self._read_message(deadline)
            if "method" not in event:
                continue
            if event["method"] == method and event.get("sessionId") == session:
                return event
            self.events.append(event)

    # -- pages ------------------------------------------------------------------------------

    def open_page(self, url: str, screenshot: Path | None = None) -> dict[str, Any]:
        """Load ``url`` in a fresh tab and report what happened.

        Returns ``headings`` (h1/h2 texts), ``title``, ``requests`` (every URL the page asked
        for, the page itself included), ``console`` (console and log messages of level
        warning or error, and uncaught exceptions) and ``text`` (the page's visible text).
        """
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})[
            "sessionId"]
        try:
            for domain in ("Page", "Runtime", "Log", "Network"):
                self.send(f"{domain}.enable", session=session)
            self.send("Emulation.setDeviceMetricsOverride",
                      {"width": 1280, "height": 900, "deviceScaleFactor": 1, "mobile": False},
                      session=session)
            self.events.clear()
            self.send("Page.navigate", {"url": url}, session=session)
            self.wait_for_event("Page.loadEventFired", session)
            evaluated = self.send(
                "Runtime.evaluate",
                {"expression": "JSON.stringify({title: document.title, "
                               "headings: [...document.querySelectorAll('h1, h2')]"
                               ".map(h => h.textContent.trim()), "
                               "text: document.body.innerText})",
                 "returnByValue": True},
                session=session,
            )
            page = json.loads(evaluated["result"]["value"])
            if screenshot is not None:
                metrics = self.send("Page.getLayoutMetrics", session=session)
                size = metrics["cssContentSize"]
                shot = self.send(
                    "Page.captureScreenshot",
                    {"format": "png", "captureBeyondViewport": True,
                     "clip": {"x": 0, "y": 0, "width": size["width"],
                              "height": min(size["height"], 12000), "scale": 1}},
                    session=session,
                )
                screenshot.parent.mkdir(parents=True, exist_ok=True)
                screenshot.write_bytes(base64.b64decode(shot["data"]))
            # A last round trip so late events (console, requests) are collected.
            self.send("Runtime.evaluate", {"expression": "1"}, session=session)
            mine = [e for e in self.events if e.get("sessionId") == session]
            page["requests"] = [e["params"]["request"]["url"] for e in mine
                                if e["method"] == "Network.requestWillBeSent"]
            console = []
            for e in mine:
                p = e["params"]
                if e["method"] == "Runtime.consoleAPICalled" and p["type"] in ("error",
                                                                               "warning",
                                                                               "assert"):
                    console.append(f"console.{p['type']}: {p.get('args')}")
                elif e["method"] == "Log.entryAdded" and p["entry"]["level"] in ("error",
                                                                                 "warning"):
                    console.append(f"log {p['entry']['level']}: {p['entry'].get('text')}")
                elif e["method"] == "Runtime.exceptionThrown":
                    console.append(f"exception: {p['exceptionDetails'].get('text')}")
            page["console"] = console
            return page
        finally:
            self.events.clear()
            self.send("Target.closeTarget", {"targetId": target})

    def close(self) -> None:
        """Close the browser (politely, then by force) and the pipes."""
        try:
            self.send("Browser.close")
        except (DevToolsError, OSError):
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)
        for fd in (self._to_browser, self._from_browser):
            try:
                os.close(fd)
            except OSError:
                pass


@pytest.fixture(scope="session")
def chromium() -> str:
    """Path of the Chromium executable; skip when it is not installed (fail in CI)."""
    found = find_chromium()
    if not found:
        _unavailable(f"Chromium not found; {INSTALL_HINT}")
    return found


def _unavailable(reason: str) -> None:
    """Skip the browser tests, or fail them in CI (CI=true), where they must run."""
    if in_ci():
        pytest.fail(f"{reason} (CI=true: the browser tests must run)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def reports_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A reports folder: $GUTBRAIN_REPORTS_DIR when set, else the rendered fixture cohort."""
    given = os.environ.get("GUTBRAIN_REPORTS_DIR")
    if given:
        path = Path(given)
        if not (path / "index.html").is_file():
            pytest.fail(f"GUTBRAIN_REPORTS_DIR={given} has no index.html (point it at "
                        "results/reports of a finished run)")
        return path
    out = tmp_path_factory.mktemp("reports")
    render_fixture_cohort(out)
    return out


@pytest.fixture(scope="session")
def screenshot_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where screenshots go: tests/output/browser/ (git-ignored)."""
    out = REPO / "tests" / "output" / "browser"
    out.mkdir(parents=True, exist_ok=True)
    return out


@pytest.fixture(scope="session")
def browser(chromium: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    """One headless Chromium for the session."""
    instance = Browser(chromium, tmp_path_factory.mktemp("chromium-profile"))
    try:
        instance.send("Browser.getVersion")
    except DevToolsError as err:
        instance.close()
        _unavailable(f"Chromium did not start in headless mode ({err}); {INSTALL_HINT}")
    yield instance
    instance.close()
