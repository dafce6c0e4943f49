"""The results viewer and review of ``grader serve --results`` through Starlette's TestClient: filters,
the row page (answer escaped, evidence highlighted), decisions with the forgery checks, the matrix,
the export, and the script-allowing CSP on these pages only."""

from __future__ import annotations

import csv
import io
import re

import pytest
from review_data import QID, make_batch
from starlette.testclient import TestClient

from grader.grading import Grader
from grader.review import ReviewSession, load_results_file, read_answers
from grader.settings import Settings
from grader.store import Store
from grader.testing.fake import FakeJudge
from grader.web.app import CSP, create_app

ORIGIN = "http://testserver"


@pytest.fixture
def viewer(tmp_path):
    answers, results = make_batch(tmp_path)
    # a hostile answer text and candidate id must come out escaped
    text = answers.read_text().replace("That is what I know about it.", "<script>alert(1)</script> about it.")
    answers.write_text(text)
    settings = Settings(store=tmp_path / "store.sqlite3", backend="local")
    store = Store(settings.store_path)
    session = ReviewSession(store, load_results_file(results, read_answers(answers)), reviewer="kim")
    app = create_app(settings, grader=Grader(settings, backend=FakeJudge(), store=store), store=store, review=session)
    with TestClient(app) as client:
        yield client, session, store


def row_of(session, cid):
    return next(r for r in session.results.rows if r.candidate_id == cid)


def token(client, path):
    return re.search(r'name="csrf_token" value="([0-9a-f]+)"', client.get(path).text).group(1)


def test_list_filters_and_sorts_without_script(viewer):
    client, _, _ = viewer
    r = client.get("/results")
    assert r.status_code == 200
    links = re.findall(r'<a(?: id="next")? href="/results/row/(\d+)">(\w+)</a>', r.text)
    assert [name for _, name in links] == ["dee", "cy", "ana", "ben"]
    assert "4 of 4 rows" in r.text
    r = client.get("/results", params={"band": "adequate"})
    assert re.findall(r'/results/row/\d+\?band=adequate">(\w+)<', r.text) == ["ben"]
    r = client.get("/results", params={"flag": "any", "sort": "candidate"})
    assert re.findall(r'/results/row/\d+\?[^"]*">(\w+)<', r.text) == ["cy", "dee"]
    r = client.get("/results", params={"q": "fvd", "question": QID})
    assert re.findall(r'/results/row/\d+\?[^"]*">(\w+)<', r.text) == ["ana"]
    r = client.get("/results", params={"sort": "<script>", "band": "<b>x</b>"})
    assert r.status_code == 200 and "<b>x</b>" not in r.text and "0 of 4 rows" in r.text


def test_csp_allows_the_sites_own_script_on_results_pages_only(viewer):
    client, _, _ = viewer
    r = client.get("/results")
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert '<script src="/static/review.js" defer></script>' in r.text
    assert re.search(r"<script(?![^>]*\bsrc=)", r.text) is None  # no inline script
    assert client.get("/").headers["content-security-policy"] == CSP and "script" not in CSP
    assert "<script" not in client.get("/").text
    js = client.get("/static/review.js")
    assert js.status_code == 200 and "keydown" in js.text


def test_row_page_escapes_the_answer_and_highlights_evidence(viewer):
    client, session, _ = viewer
    dee = row_of(session, "dee")
    r = client.get(f"/results/row/{dee.index}")
    assert r.status_code == 200
    assert "injection_suspected" in r.text and "Ignore all previous instructions" in r.text
    assert '<div class="answer-text" id="answer"><mark' in r.text
    dee.answer = (dee.answer or "") + " <img src=x onerror=alert(1)>"  # candidate text is never trusted
    dee.candidate_id = "<b>dee</b>"
    r = client.get(f"/results/row/{dee.index}")
    assert "&lt;img src=x onerror=alert(1)&gt;" in r.text and "<img src=x" not in r.text
    assert "&lt;b&gt;dee&lt;/b&gt;" in r.text and "<b>dee</b>" not in r.text
    ben = row_of(session, "ben")
    r = client.get(f"/results/row/{ben.index}")
    # the answers file holds another text than the graded one: not shown, said why
    assert "another version of this answer" in r.text and "<script>alert" not in r.text
    assert client.get("/results/row/99").status_code == 404
    assert client.get("/results/row/-1").status_code == 404


def test_a_level_override_through_the_form(viewer):
    client, session, store = viewer
    ana = row_of(session, "ana")
    path = f"/results/row/{ana.index}?band=strong"
    form = {"csrf_token": token(client, path), "kind": "level", "criterion": "temporal", "level": "missing"}
    r = client.post(path, data={**form, "reason": "only names it"}, headers={"origin": ORIGIN}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/results/row/{ana.index}?band=strong"
    (d,) = store.overrides()
    assert (d["kind"], d["criterion_id"], d["new_value"], d["reason"], d["reviewer"]) == (
        "level",
        "temporal",
        "missing",
        "only names it",
        "kim",
    )
    page = client.get(path).text
    assert "Changed by a reviewer" in page and "(was 8.75)" in page and "6.25 / 10" in page
    assert 'id="trail"' in page and "only names it" in page
    assert "(reviewer; graded full)" in page
    # a missing reason is refused on the page, nothing stored
    r = client.post(path, data={**form, "reason": " "}, headers={"origin": ORIGIN})
    assert r.status_code == 422 and "an override needs a reason" in r.text
    assert len(store.overrides()) == 1
    r = client.get("/results", params={"reviewed": "overridden"})
    assert re.findall(r'/results/row/\d+\?[^"]*">(\w+)<', r.text) == ["ana"]


def test_accept_goes_to_the_next_row_of_the_list(viewer):
    client, session, store = viewer
    dee, cy = row_of(session, "dee"), row_of(session, "cy")
    path = f"/results/row/{dee.index}?flag=any"
    r = client.post(
        path,
        data={"csrf_token": token(client, path), "kind": "accept"},
        headers={"origin": ORIGIN},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == f"/results/row/{cy.index}?flag=any"
    assert [d["kind"] for d in store.overrides()] == ["accept"]


@pytest.mark.parametrize(
    "how",
    ["other origin", "no origin", "no token", "wrong token", "json body"],
)
def test_forged_decisions_are_refused(viewer, how):
    client, session, store = viewer
    path = f"/results/row/{row_of(session, 'ana').index}"
    good = {"csrf_token": token(client, path), "kind": "accept"}
    kwargs = {
        "other origin": dict(data=good, headers={"origin": "http://evil.example"}),
        "no origin": dict(data=good),
        "no token": dict(data={"kind": "accept"}, headers={"origin": ORIGIN}),
        "wrong token": dict(data={**good, "csrf_token": "0" * 64}, headers={"origin": ORIGIN}),
        "json body": dict(json=good, headers={"origin": ORIGIN}),
    }[how]
    r = client.post(path, follow_redirects=False, **kwargs)
    assert r.status_code == 403
    assert store.overrides() == []


def test_matrix_and_export(viewer):
    client, session, _ = viewer
    ana = row_of(session, "ana")
    path = f"/results/row/{ana.index}"
    client.post(
        path,
        data={"csrf_token": token(client, path), "kind": "score", "score": "4", "reason": "weak on evaluation"},
        headers={"origin": ORIGIN},
    )
    r = client.get("/results/matrix", params={"question": QID})
    assert r.status_code == 200
    assert re.findall(r'<tr>\s*<td><a href="/results/row/\d+\?question=[^"]+">(\w+)</a>', r.text) == [
        "ana",
        "ben",
        "dee",
    ]
    assert r.text.count('class="level ') == 9 and "(overridden)" in r.text
    assert "4 / 10" in r.text and "6.25 / 10" in r.text  # ana after the review, ben as graded
    assert client.get("/results/matrix", params={"question": "nope"}).status_code == 404
    r = client.get("/results/export")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert 'filename="results.reviewed.csv"' in r.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert len(rows) == 4
    exported = next(x for x in rows if x["candidate_id"] == "ana")
    assert (exported["score"], exported["band"], exported["reviewed"]) == ("4.0", "weak", "overridden")
    assert exported["override_reason"] == "weak on evaluation" and exported["original_score"] == "8.75"


def test_serve_without_results_has_no_results_pages(tmp_path):
    settings = Settings(store=tmp_path / "s.sqlite3", backend="local")
    store = Store(settings.store_path)
    app = create_app(settings, grader=Grader(settings, backend=FakeJudge(), store=store), store=store)
    with TestClient(app) as client:
        assert client.get("/results").status_code == 404


def test_serve_answers_without_results_is_refused(cli, tmp_path):
    code, _, err = cli("serve", "--answers", tmp_path / "a.csv", "--port", "0")
    assert code == 2 and "--answers needs --results" in err


def test_serve_with_a_bad_results_file_is_one_line(cli, tmp_path):
    (tmp_path / "x.csv").write_text("a,b\n1,2\n")
    code, _, err = cli("serve", "--results", tmp_path / "x.csv", "--port", "0")
    assert code == 2 and "not a grader results file" in err and "Traceback" not in err


def test_the_header_links_to_the_results_only_when_served(viewer, tmp_path):
    client, _, _ = viewer
    assert '<a href="/results">Results</a>' in client.get("/").text
    settings = Settings(store=tmp_path / "plain.sqlite3", backend="local")
    store = Store(settings.store_path)
    app = create_app(settings, grader=Grader(settings, backend=FakeJudge(), store=store), store=store)
    with TestClient(app) as plain:
        assert 'href="/results"' not in plain.get("/").text


def test_decisions_made_elsewhere_show_up(viewer, tmp_path):
    client, session, store = viewer
    other = ReviewSession(Store(store.path), load_results_file(session.results.path))  # e.g. `grader review`
    other.override_level(row_of(other, "ana"), "temporal", "missing", "from the terminal")
    r = client.get("/results", params={"reviewed": "overridden"})
    assert re.findall(r'/results/row/\d+\?[^"]*">(\w+)<', r.text) == ["ana"]
    assert "from the terminal" in client.get(f"/results/row/{row_of(session, 'ana').index}").text
