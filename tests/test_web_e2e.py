"""End to end in a real headless browser: Debian's chromium driven by Playwright.

The practice app runs under uvicorn on a free 127.0.0.1 port in a thread, with a temporary store and a
deterministic fake judge. The browser opens the list, filters a section, opens a question, types an
answer, submits, waits through the progress page for the result, checks the score and the evidence
highlight, saves a screenshot (docs/screenshots/result.png) and finds the attempt in the history.

Needs ``scripts/install_browser.sh`` (chromium, chromium-driver, the playwright Python package).
Skips with the reason when they are missing.
"""

from __future__ import annotations

import os
import re
import socket
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
]
DOCS_SCREENSHOT = Path(__file__).resolve().parents[1] / "docs" / "screenshots" / "result.png"
#: The README's screenshot is refreshed only on request (GRADER_UPDATE_SCREENSHOT=1), so a test run
#: does not modify the working tree.
UPDATE_DOCS = bool(os.environ.get("GRADER_UPDATE_SCREENSHOT"))
QID = "vid-01-text-to-video-vs-image"
ANSWER = (
    "Text-to-video has to keep every frame coherent with the previous ones, not just produce one good image.\n"
    "Objects, lighting and physics must stay consistent over time, otherwise faces morph and hands flicker.\n"
    "It also needs far more compute and training data, because motion itself has to be learned."
)

pytestmark = pytest.mark.e2e

if not Path(CHROMIUM).exists():
    pytest.skip(f"{CHROMIUM} is not installed: run scripts/install_browser.sh", allow_module_level=True)
try:
    from playwright.sync_api import sync_playwright
except ImportError:
    pytest.skip(
        "the playwright Python package is not installed: run scripts/install_browser.sh", allow_module_level=True
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(tmp_path, monkeypatch, fake_judge):
    import uvicorn

    from grader.grading import Grader
    from grader.settings import Settings
    from grader.store import Store
    from grader.web.app import create_app

    for var in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "GRADER_BACKEND", "GRADER_STORE", "GRADER_CACHE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("GRADER_CONFIG", str(tmp_path / "no-config.toml"))
    settings = Settings(store=tmp_path / "store.sqlite3", backend="local")
    store = Store(settings.store_path)
    # criterion 1 full, 2 partial, the rest missing, quoting the answer's own sentences, after a short
    # pause, so the browser goes through the progress page
    judge = fake_judge(
        ["full", "partial"],
        delay=1.2,
        strengths=["Opens with the core difference: temporal coherence."],
        summary="A solid start; make the contrast with single images explicit.",
    )
    app = create_app(
        settings,
        grader=Grader(settings, backend=judge, store=store),
        store=store,
        allowed_hosts=["127.0.0.1", "localhost"],
    )
    port = _free_port()
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=srv.run, name="e2e-uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not srv.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("uvicorn did not start")
        time.sleep(0.02)
    yield SimpleNamespace(url=f"http://127.0.0.1:{port}", store=store)
    srv.should_exit = True
    thread.join(timeout=15)
    store.close()


def test_practice_in_the_browser(server, tmp_path):
    started = time.monotonic()
    problems: list[str] = []
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"),
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_FLAGS,
            viewport={"width": 1100, "height": 900},
            device_scale_factor=1,
        )
        try:
            page = context.new_page()
            page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
            page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
            page.on("request", lambda r: None if r.url.startswith(server.url) else problems.append(f"request {r.url}"))

            # the list, filtered to a section
            page.goto(server.url + "/")
            assert page.locator("h1").inner_text() == "Questions"
            assert page.locator("table.questions a[href^='/q/']").count() == 50
            page.select_option("#section", "Beginner")
            page.get_by_role("button", name="Filter").click()
            page.wait_for_url(re.compile(r".*section=Beginner"))
            assert 0 < page.locator("table.questions a[href^='/q/']").count() < 50

            # a question, an answer, the progress page, the result
            page.locator(f"a[href='/q/{QID}']").click()
            page.wait_for_url(f"**/q/{QID}")
            assert "harder than text-to-image" in page.locator("h1.question").inner_text()
            page.fill("#answer", ANSWER)
            page.get_by_role("button", name="Grade my answer").click()
            page.wait_for_url(re.compile(r".*/attempt/j[0-9a-f]+$"))
            assert page.locator(".progress").is_visible()
            page.wait_for_url(re.compile(r".*/attempt/\d+$"), timeout=30_000)

            score = page.locator("#score")
            assert score.is_visible()
            assert re.search(r"\d+(\.\d+)? / 10", score.inner_text())
            marks = page.locator("#answer mark")
            assert marks.count() == 2 and marks.first.is_visible()
            assert marks.first.inner_text().startswith("Text-to-video has to keep every frame coherent")
            background = marks.first.evaluate("m => getComputedStyle(m).backgroundColor")
            assert background not in ("rgba(0, 0, 0, 0)", "transparent")  # the stylesheet loaded under the CSP
            assert page.locator("table.criteria .level.partial").count() == 1
            shot = DOCS_SCREENSHOT if UPDATE_DOCS else tmp_path / "result.png"
            shot.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(shot), full_page=True)
            assert shot.stat().st_size > 10_000

            # the history
            page.get_by_role("link", name="History").last.click()
            page.wait_for_url("**/history")
            assert page.locator("svg.chart circle").count() == 1
            row = page.locator("table.history tbody tr")
            assert row.count() == 1 and QID in row.first.inner_text()
        finally:
            context.close()
    assert problems == []
    assert len(server.store.attempts()) == 1
    print(f"e2e browser run: {time.monotonic() - started:.1f} s")
