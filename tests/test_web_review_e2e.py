"""The results viewer in a real headless browser (Debian's chromium driven by Playwright, as in
``tests/test_web_e2e.py``): review a small batch — filter it, open a row, override a criterion's level
with a reason through the keyboard shortcut and the form, accept another row with the ``a`` key — then
download the export and check that the exported results and the report show the change.

Needs ``scripts/install_browser.sh``; skips with the reason when chromium or playwright is missing.
"""

from __future__ import annotations

import csv
import json
import os
import re
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from review_data import make_batch

CHROMIUM = "/usr/bin/chromium"
#: The README's screenshot of a row page, refreshed only on request (as in tests/test_web_e2e.py).
DOCS_SCREENSHOT = Path(__file__).resolve().parents[1] / "docs" / "screenshots" / "review.png"
UPDATE_DOCS = bool(os.environ.get("GRADER_UPDATE_SCREENSHOT"))
pytestmark = pytest.mark.e2e

if not Path(CHROMIUM).exists():
    pytest.skip(f"{CHROMIUM} is not installed: run scripts/install_browser.sh", allow_module_level=True)
try:
    from playwright.sync_api import sync_playwright
except ImportError:
    pytest.skip(
        "the playwright Python package is not installed: run scripts/install_browser.sh", allow_module_level=True
    )

from test_e2e_narrow import PHONE, _assert_fits  # noqa: E402 - after the skips: they need playwright too
from test_web_e2e import CHROMIUM_FLAGS, _free_port  # noqa: E402


@pytest.fixture
def server(tmp_path):
    import uvicorn

    from grader.grading import Grader
    from grader.review import ReviewSession, load_results_file, read_answers
    from grader.settings import Settings
    from grader.store import Store
    from grader.testing.fake import FakeJudge
    from grader.web.app import create_app

    answers, results = make_batch(tmp_path)
    settings = Settings(store=tmp_path / "store.sqlite3", backend="local")
    store = Store(settings.store_path)
    session = ReviewSession(store, load_results_file(results, read_answers(answers)), reviewer="e2e")
    app = create_app(
        settings,
        grader=Grader(settings, backend=FakeJudge(), store=store),
        store=store,
        allowed_hosts=["127.0.0.1", "localhost"],
        review=session,
    )
    port = _free_port()
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=srv.run, name="e2e-review-uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not srv.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("uvicorn did not start")
        time.sleep(0.02)
    yield SimpleNamespace(url=f"http://127.0.0.1:{port}", store=store, results=results)
    srv.should_exit = True
    thread.join(timeout=15)
    store.close()


def test_review_a_batch_in_the_browser(server, tmp_path, cli):
    problems: list[str] = []
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"),
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_FLAGS,
            viewport={"width": 1100, "height": 900},
            accept_downloads=True,
        )
        try:
            page = context.new_page()
            page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
            page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
            page.on("request", lambda r: None if r.url.startswith(server.url) else problems.append(f"request {r.url}"))

            # the list, needs-a-human first, then filtered to the strong band
            page.goto(server.url + "/results")
            names = page.locator("table.results tbody td:first-child a").all_inner_texts()
            assert names == ["dee", "cy", "ana", "ben"]
            page.select_option("#f-band", "strong")
            page.get_by_role("button", name="Filter").click()
            page.wait_for_url(re.compile(r".*band=strong"))
            assert page.locator("table.results tbody td:first-child a").all_inner_texts() == ["dee", "ana"]

            # ana: the answer with its evidence, then a level override with a reason, started with "o"
            page.get_by_role("link", name="ana").click()
            page.wait_for_url(re.compile(r".*/results/row/\d+\?band=strong"))
            assert page.locator("#answer mark").count() == 3
            assert page.locator("#score .points").inner_text() == "8.75 / 10"
            page.keyboard.press("o")  # review.js runs under the page's CSP
            assert page.evaluate("document.activeElement.id") == "override-criterion"
            page.select_option("#override-criterion", "temporal")
            page.select_option("#override-level", "missing")
            page.fill("#override-reason", "names temporal attention but never explains it")
            page.get_by_role("button", name="Override level").click()
            page.wait_for_load_state()
            assert page.locator("#score .points").inner_text() == "6.25 / 10"
            assert "Changed by a reviewer (was 8.75)" in page.locator("#reviewed").inner_text()
            assert "never explains it" in page.locator("#trail").inner_text()
            shot = DOCS_SCREENSHOT if UPDATE_DOCS else tmp_path / "review.png"
            shot.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(shot), full_page=True)

            # back to the list: "k" goes to the previous row of the same list (dee), "a" accepts it
            ana_url = page.url  # ana left the strong band, and keeps its place in the list's order
            page.keyboard.press("k")
            page.wait_for_url(lambda url: url != ana_url)
            assert "dee" in page.locator("h1").inner_text()
            dee_url = page.url
            page.keyboard.press("a")
            page.wait_for_url(lambda url: url != dee_url)
            assert page.url.endswith("/results?band=strong")  # accepted, and dee was the last row of the list

            # the overridden filter, then the export
            page.goto(server.url + "/results?reviewed=overridden")
            assert page.locator("table.results tbody td:first-child a").all_inner_texts() == ["ana"]
            with page.expect_download() as info:
                page.locator("#export").click()
            exported = tmp_path / "reviewed.csv"
            info.value.save_as(exported)

            # on a phone's width every page of the viewer fits, its tables scroll inside their box
            page.set_viewport_size(PHONE)
            for path in ("/results", "/results/row/0", "/results/matrix"):
                page.goto(server.url + path)
                _assert_fits(page, path)
        finally:
            context.close()
    assert problems == []

    with exported.open(newline="", encoding="utf-8") as fh:
        rows = {r["candidate_id"]: r for r in csv.DictReader(fh)}
    assert (rows["ana"]["score"], rows["ana"]["band"], rows["ana"]["reviewed"]) == ("6.25", "adequate", "overridden")
    assert rows["ana"]["override_reason"] == "names temporal attention but never explains it"
    assert rows["ana"]["original_score"] == "8.75"
    assert json.loads(rows["ana"]["result_json"])["review"]["decisions"][0]["criterion_id"] == "temporal"
    assert rows["dee"]["reviewed"] == "accepted" and rows["ben"]["reviewed"] == ""
    code, _, err = cli("report", exported, "-o", tmp_path / "report.html")
    assert code == 0, err
    report = (tmp_path / "report.html").read_text()
    assert "changed by a reviewer</strong> (was 8.75)" in report and "never explains it" in report
    kinds = [(d["candidate_id"], d["kind"]) for d in server.store.overrides()]
    assert kinds == [("ana", "level"), ("dee", "accept")]
