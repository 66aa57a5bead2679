"""The browser suite's fixtures: a real `greenlane serve` on a free loopback port over a
fresh SQLite file, Debian's headless Chromium driven by Playwright, and a `Desk` per user
(its own browser context, so its own cookies) that logs in through the log-in form.

Every page a test looks at goes through `Desk.look`: axe-core runs on it (no serious or
critical violation allowed), the console is checked (a CSP violation or a script error
fails the test) and a full-page screenshot is saved under the folder printed at the end.
"""

import json
import os
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

REPO = Path(__file__).resolve().parents[2]
BINARY = Path(os.environ.get("GREENLANE_BIN", REPO / "target/debug/greenlane"))
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
SHOTS = Path(os.environ.get("GREENLANE_SHOTS", REPO / "target/browser-shots"))
AXE = (REPO / "tests/browser/vendor/axe.min.js").read_text(encoding="utf-8")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A running `greenlane serve` and a small client of its JSON API."""

    def __init__(self, base):
        self.base = base

    def api(self, method, path, who, body=None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.base + path, data=data, method=method)
        request.add_header("Authorization", f"Bearer demo-{who}")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        elif method == "POST":
            request.data = b""
        try:
            with urllib.request.urlopen(request, timeout=10) as reply:
                text = reply.read().decode()
                return reply.status, json.loads(text) if text else None
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read().decode() or "null")

    def approve_all(self, case):
        """Each ready task of `case` claimed and approved by its department's officer."""
        approved = 0
        while True:
            status, view = self.api("GET", f"/api/v1/cases/{case}", "coordinator-city")
            assert status == 200, view
            ready = [t for t in view["tasks"] if t["state"] == "ready"]
            if not ready:
                return approved
            for task in ready:
                officer = f"officer-{task['department']}"
                base = f"/api/v1/cases/{case}/tasks/{task['id']}"
                status, body = self.api("POST", f"{base}/claim", officer)
                assert status == 200, body
                status, body = self.api("POST", f"{base}/approve", officer)
                assert status == 200, body
                approved += 1


@pytest.fixture(scope="session")
def server():
    assert BINARY.exists(), f"build the server first: cargo build -p greenlane ({BINARY})"
    port = free_port()
    folder = tempfile.mkdtemp(prefix="greenlane-browser-")
    log = open(Path(folder) / "server.log", "w")
    process = subprocess.Popen(
        [
            str(BINARY),
            "--root",
            str(REPO),
            "serve",
            "--principals",
            str(REPO / "examples/principals.yaml"),
            "--listen",
            f"127.0.0.1:{port}",
            "--db",
            str(Path(folder) / "desk.db"),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while True:
        try:
            with urllib.request.urlopen(base + "/readyz", timeout=1) as reply:
                if reply.status == 200:
                    break
        except OSError:
            pass
        if process.poll() is not None or time.time() > deadline:
            log.close()
            raise RuntimeError(
                "greenlane serve did not start:\n" + (Path(folder) / "server.log").read_text()
            )
        time.sleep(0.1)
    yield Server(base)
    process.terminate()
    process.wait(timeout=20)
    log.close()


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield chromium
        chromium.close()


def pytest_sessionstart(session):
    SHOTS.mkdir(parents=True, exist_ok=True)
    for old in SHOTS.glob("*.png"):
        old.unlink()


def pytest_terminal_summary(terminalreporter):
    shots = sorted(SHOTS.glob("*.png"))
    terminalreporter.write_line(f"screenshots ({len(shots)}): {SHOTS}")


class Desk:
    """One user's browser: a context of its own, a page, the checks on every page."""

    def __init__(self, browser, server, name, viewport=None):
        self.server = server
        self.name = name
        self.context = browser.new_context(
            locale="zh-CN",
            viewport=viewport or {"width": 1280, "height": 900},
        )
        self.page = self.context.new_page()
        self.page.set_default_timeout(10_000)
        self.problems = []
        self.page.on(
            "console",
            lambda m: self.problems.append(m.text) if m.type == "error" else None,
        )
        self.page.on("pageerror", lambda e: self.problems.append(str(e)))
        self.page.on(
            "response",
            lambda r: self.problems.append(f"status of {r.status}: {r.url}")
            if r.status >= 400 and r.request.resource_type != "document"
            else None,
        )

    def go(self, path):
        return self.page.goto(self.server.base + path)

    def log_in(self, who):
        self.go("/login")
        self.look("login")
        self.page.get_by_label("令牌 Token").fill(f"demo-{who}")
        self.page.get_by_role("button", name="登录 Log in").click()
        self.page.wait_for_load_state()
        assert "/login" not in self.page.url, self.page.content()
        return self

    def look(self, shot, allow_status=False):
        """axe-core on the page, its console, and a screenshot named `shot`."""
        page = self.page
        page.wait_for_load_state()
        page.evaluate(AXE)
        result = page.evaluate(
            "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
            ".map(v => ({id: v.id, impact: v.impact, help: v.help,"
            " nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)}))"
        )
        serious = [v for v in result if v["impact"] in ("serious", "critical")]
        page.screenshot(path=str(SHOTS / f"{self.name}-{shot}.png"), full_page=True)
        assert not serious, f"axe on {shot} ({page.url}): {json.dumps(serious, ensure_ascii=False)}"
        # A page answered with an error status logs that to the console; its own status
        # is checked by the test, its sub-resources never may fail.
        problems = [
            p
            for p in self.problems
            if not (allow_status and p.startswith("Failed to load resource"))
        ]
        assert not problems, f"console on {shot} ({page.url}): {problems}"
        self.problems.clear()

    def close(self):
        self.context.close()


@pytest.fixture
def desk(browser, server):
    opened = []

    def open_desk(name, viewport=None):
        d = Desk(browser, server, name, viewport)
        opened.append(d)
        return d

    yield open_desk
    for d in opened:
        d.close()
