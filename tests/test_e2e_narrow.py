"""In a real headless chromium (marker e2e) at a phone's width, 390 px: no table of the report or of the
practice pages overflows the viewport (each scrolls inside its own box), and both follow the system's
dark mode (``prefers-color-scheme``) under their strict Content-Security-Policy.

Needs ``scripts/install_browser.sh``; skips with the reason when chromium or playwright are missing
(the skip happens when :mod:`tests.test_web_e2e` is imported).
"""

from __future__ import annotations

import csv
import re

import pytest

from tests.test_web_e2e import ANSWER, CHROMIUM, CHROMIUM_FLAGS, QID, server  # noqa: F401 (server: a fixture)

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}

#: For the page and each table: the page's own horizontal overflow, and each table's scroll box's right edge.
OVERFLOW_JS = """() => {
  const vw = document.documentElement.clientWidth;
  const out = {vw, page: document.documentElement.scrollWidth, boxes: [], unboxed: 0, tables: 0};
  for (const t of document.querySelectorAll('table')) {
    out.tables += 1;
    const box = t.closest('.scroll');
    if (!box) { out.unboxed += 1; continue; }
    const r = box.getBoundingClientRect();
    out.boxes.push(Math.ceil(r.right));
  }
  return out;
}"""


def _assert_fits(page, where: str) -> None:
    m = page.evaluate(OVERFLOW_JS)
    assert m["tables"] > 0, f"{where}: no table to check"
    assert m["unboxed"] == 0, f"{where}: {m['unboxed']} table(s) outside a scroll box"
    assert m["page"] <= m["vw"], f"{where}: the page is {m['page']} px wide in a {m['vw']} px viewport"
    assert all(right <= m["vw"] for right in m["boxes"]), f"{where}: a table box ends past {m['vw']} px: {m}"


def _background(page) -> tuple[int, ...]:
    colour = page.evaluate("() => getComputedStyle(document.body).backgroundColor")
    return tuple(int(v) for v in re.findall(r"\d+", colour)[:3])


def _report(tmp_path):
    from grader.report.build import build_report, load_results
    from grader.report.render import render_html
    from tests.test_report import cohort

    path, answers = cohort(tmp_path)
    # a long unbreakable id and many questions make the ranking table wider than a phone
    html = render_html(build_report(load_results(path), answers=answers, title="Narrow screen"))
    out = tmp_path / "report.html"
    out.write_text(html, encoding="utf-8")
    return out


def _launch(p, tmp_path, scheme: str):
    return p.chromium.launch_persistent_context(
        str(tmp_path / f"profile-{scheme}"),
        executable_path=CHROMIUM,
        headless=True,
        args=CHROMIUM_FLAGS,
        viewport=PHONE,
        device_scale_factor=1,
        color_scheme=scheme,
    )


def test_report_and_pages_fit_a_390px_screen_in_light_and_dark(server, tmp_path):  # noqa: F811
    from playwright.sync_api import sync_playwright

    report = _report(tmp_path)
    src = tmp_path / "answers.csv"
    with src.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([["candidate_id", "question_id", "answer"], ["a", QID, ANSWER]])
    problems: list[str] = []
    backgrounds: dict[str, list[tuple[int, ...]]] = {}
    with sync_playwright() as p:
        for scheme in ("light", "dark"):
            context = _launch(p, tmp_path, scheme)
            try:
                page = context.new_page()
                page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
                page.goto(report.as_uri())
                _assert_fits(page, f"report ({scheme})")
                backgrounds.setdefault("report", []).append(_background(page))

                # the practice pages: the list, a graded attempt, the history
                page.goto(server.url + "/")
                _assert_fits(page, f"list ({scheme})")
                backgrounds.setdefault("pages", []).append(_background(page))
                if scheme == "light":
                    page.goto(f"{server.url}/q/{QID}")
                    page.fill("#answer", ANSWER)
                    page.get_by_role("button", name="Grade my answer").click()
                    page.wait_for_url(re.compile(r".*/attempt/\d+$"), timeout=30_000)
                else:
                    page.goto(server.url + "/attempt/1")
                _assert_fits(page, f"attempt ({scheme})")
                page.goto(server.url + "/history")
                _assert_fits(page, f"history ({scheme})")
            finally:
                context.close()
    assert problems == []  # e.g. a stylesheet refused by the policy would be reported here
    for where, (light, dark) in backgrounds.items():
        assert sum(light) > 600 and sum(dark) < 150, f"{where}: light {light}, dark {dark}"
