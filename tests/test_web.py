"""The practice web page (grader.web) through Starlette's TestClient, with the shared fake judge."""

from __future__ import annotations

import asyncio
import re
import threading
import time
from types import SimpleNamespace

import pytest
from starlette.testclient import TestClient

from grader.grading import Grader
from grader.practice import Highlight
from grader.rubric import default_bank
from grader.settings import Settings
from grader.store import Store
from grader.verdict import Level
from grader.web.app import CSP, create_app
from grader.web.render import highlight_answer, history_chart

ANSWER = (
    "Text-to-video starts from a prompt alone and invents every frame.\r\n"
    "Image-to-video animates a given still, so composition is locked from the start."
)
QID = "vid-01-text-to-video-vs-image"


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    for var in (
        "OPENAI_API_KEY",
        "OPENAI_BASE_URL",
        "GRADER_MODEL",
        "GRADER_BACKEND",
        "GRADER_CACHE",
        "GRADER_STORE",
        "GRADER_RUBRICS",
    ):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("GRADER_CONFIG", str(tmp_path / "no-config.toml"))


def make_client(tmp_path, judge, **settings_kw):
    settings = Settings(store=tmp_path / "store.sqlite3", backend="local", **settings_kw)
    store = Store(settings.store_path)
    app = create_app(settings, grader=Grader(settings, backend=judge, store=store), store=store)
    return TestClient(app), judge, store


@pytest.fixture
def web(tmp_path, fake_judge):
    client, judge, store = make_client(tmp_path, fake_judge())
    with client:
        yield SimpleNamespace(client=client, judge=judge, store=store)
    store.close()


ORIGIN = "http://testserver"  # TestClient's base URL: what a browser on the page sends


def form_token(client, qid=QID):
    """The session token in the question page's form (the page also sets the session cookie)."""
    page = client.get(f"/q/{qid}")
    return re.search(r'name="csrf_token" value="([0-9a-f]+)"', page.text).group(1)


def submit(client, qid, answer):
    """What the page's form sends: the answer, the session token, from this site's origin."""
    data = {"answer": answer, "csrf_token": form_token(client, qid)}
    return client.post(f"/q/{qid}", data=data, headers={"origin": ORIGIN}, follow_redirects=False)


def wait_done(client, location, timeout=10.0):
    job = location.rsplit("/", 1)[-1]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = client.get(f"/api/jobs/{job}").json()
        if status["status"] in ("done", "error"):
            return status
        time.sleep(0.02)
    raise AssertionError("grading did not finish")


def grade_via_page(client, qid, answer):
    r = submit(client, qid, answer)
    assert r.status_code == 303 and r.headers["location"].startswith("/attempt/j")
    status = wait_done(client, r.headers["location"])
    assert status["status"] == "done", status
    page = client.get(r.headers["location"])  # follows the redirect to /attempt/<n>
    assert page.status_code == 200
    return page, status


# -- pages ----------------------------------------------------------------------------------------


def test_list_page_and_section_filter(web):
    r = web.client.get("/")
    assert r.status_code == 200
    assert r.text.count('href="/q/vid-') == len(default_bank())
    assert '<option value="Behavioral"' in r.text
    r = web.client.get("/", params={"section": "Behavioral"})
    assert r.status_code == 200
    ids = set(re.findall(r'href="/q/(vid-[^"]+)"', r.text))
    assert ids == {q.id for q in default_bank().filter("Behavioral")}
    r = web.client.get("/", params={"section": "<b>nope</b>"})
    assert r.status_code == 404 and "&lt;b&gt;nope&lt;/b&gt;" in r.text and "<b>nope" not in r.text


def test_question_page_hides_the_hint(web):
    rubric = default_bank().get(QID)
    r = web.client.get(f"/q/{QID}")
    assert r.status_code == 200
    assert rubric.question in r.text and '<textarea id="answer" name="answer"' in r.text
    assert rubric.hint not in r.text
    r = web.client.get("/q/vid-01", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/q/{QID}"
    assert web.client.get("/q/no-such-question").status_code == 404


def test_random_never_repeats_last(web):
    for _ in range(20):
        r = web.client.get(
            "/random",
            params={"section": "Behavioral", "last": "vid-46-project-failure-ownership"},
            follow_redirects=False,
        )
        assert r.status_code == 303 and r.headers["location"] != "/q/vid-46-project-failure-ownership"
        assert default_bank().get(r.headers["location"][3:]).section == "Behavioral"


def test_submit_grade_result_with_highlight_and_history(web):
    page, status = grade_via_page(web.client, QID, ANSWER)
    html = page.text
    assert status["attempt_id"] == 1 and str(page.url).endswith("/attempt/1")
    assert re.search(r"\d+(\.\d+)? / 10", html) and "78 %" in html and "STRONG" in html
    marks = re.findall(r"<mark[^>]*>(.*?)</mark>", html, re.S)
    assert marks == [
        "Text-to-video starts from a prompt alone and invents every frame",  # sentence dot trimmed
        "Image-to-video animates a given still, so composition is locked from the start",
    ]
    assert '<sup class="ref">1</sup>' in html
    assert "Opens with the key difference." in html and "Add one sentence on" in html
    assert 'class="level full"' in html and 'class="level missing"' in html
    # the stored answer has normalised newlines, so the offsets match what is shown
    assert web.store.get_attempt(1)["answer"] == ANSWER.replace("\r\n", "\n")
    # the list shows the best score, the history the attempt and a chart point
    assert "78 %" in web.client.get("/").text
    hist = web.client.get("/history").text
    assert 'href="/q/vid-01-text-to-video-vs-image"' in hist and "<svg" in hist and hist.count("<circle") == 1
    # try again: the previous answer is in the box
    again = web.client.get(f"/q/{QID}", params={"from": "1"}).text
    assert "Image-to-video animates a given still" in again


def test_second_attempt_shows_progress_in_history(web):
    grade_via_page(web.client, QID, "Text-to-video starts from a prompt alone and invents every frame.")
    page, _ = grade_via_page(web.client, QID, ANSWER)
    assert "New best" in page.text
    hist = web.client.get("/history").text
    assert hist.count("<circle") == 2 and "▲ +" in hist


def test_progress_page_refreshes_and_server_is_not_blocked(tmp_path, fake_judge):
    """The judge blocks its thread (like the embedded grader's CPU work) until the test has been
    served two pages. Were grading on the server's event loop, no page could be served meanwhile:
    the judge's wait would run out unreleased (and the test fail) instead."""
    entered, release = threading.Event(), threading.Event()

    class BlockingJudge(type(fake_judge())):
        released: bool | None = None

        async def judge(self, rubric, answer):
            entered.set()
            self.released = release.wait(timeout=30)  # blocks the loop it runs on; no wall-clock assert
            return await super().judge(rubric, answer)

    client, judge, store = make_client(tmp_path, BlockingJudge())
    with client:
        r = submit(client, QID, ANSWER)
        assert entered.wait(timeout=30)  # grading has started and is blocked
        progress = client.get(r.headers["location"])
        assert progress.status_code == 200 and '<meta http-equiv="refresh" content="1">' in progress.text
        assert "Grading your answer" in progress.text or "Waiting for the grader" in progress.text
        assert client.get("/").status_code == 200  # the blocking judge runs off the server's loop
        release.set()
        assert wait_done(client, r.headers["location"])["status"] == "done"
    assert judge.released is True
    store.close()


def test_size_limit_gives_a_clear_message_and_grades_nothing(tmp_path, fake_judge):
    client, judge, store = make_client(tmp_path, fake_judge(), max_answer_chars=200)
    with client:
        long_answer = "A sentence that is long enough to count. " * 10
        r = submit(client, QID, long_answer)
        assert r.status_code == 413
        assert "over the limit of 200" in r.text and "nothing was graded" in r.text
        assert "A sentence that is long enough to count." in r.text  # the answer is kept in the box
        huge = client.post(
            f"/q/{QID}",
            content=b"answer=" + b"x" * 200_000,
            headers={"content-type": "application/x-www-form-urlencoded"},
        )
        assert huge.status_code == 413 and "far over the limit" in huge.text
        blank = submit(client, QID, "   \n ")
        assert blank.status_code == 422 and "Write an answer first" in blank.text
        assert judge.calls == 0 and store.attempts() == []
    store.close()


def test_candidate_text_is_escaped_everywhere(web):
    evil = (
        "I would use <script>alert(1)</script> in every frame of the video. "
        'Then <img src=x onerror="alert(2)"> keeps the composition locked.'
    )
    page, _ = grade_via_page(web.client, QID, evil)
    html = page.text
    assert "<script>" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert re.search(r"<mark[^>]*>I would use &lt;script&gt;alert\(1\)&lt;/script&gt;", html)
    # and in the answer box of "try again" (a too-short answer is graded 0 without the judge)
    r = submit(web.client, QID, "</textarea><script>alert(3)</script>")
    assert wait_done(web.client, r.headers["location"])["attempt_id"] == 2
    again = web.client.get(f"/q/{QID}", params={"from": "2"}).text
    assert "<script>" not in again and "&lt;/textarea&gt;&lt;script&gt;alert(3)" in again
    assert again.count("</textarea>") == 1


def test_security_headers_and_csp(web):
    r = web.client.get("/")
    assert r.headers["content-security-policy"] == CSP and "script-src" not in CSP
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"] == "same-origin"  # "no-referrer" makes browsers send "Origin: null"
    assert 'http-equiv="Content-Security-Policy"' in r.text
    assert "http://" not in r.text.replace("http://www.w3.org/2000/svg", "")  # nothing from a CDN
    assert web.client.get("/static/style.css").status_code == 200


def test_cross_origin_post_is_refused(web):
    r = web.client.post(
        f"/q/{QID}", data={"answer": ANSWER}, headers={"origin": "http://evil.example"}, follow_redirects=False
    )
    assert r.status_code == 403 and web.judge.calls == 0


def test_forged_posts_are_refused_with_a_clear_403(web):
    """Issue 14, item 6: Origin null, no Origin, a text/plain body, no or a wrong token: all refused."""
    token = form_token(web.client)
    form = {"answer": ANSWER, "csrf_token": token}
    cases = {
        "origin null": dict(data=form, headers={"origin": "null"}),
        "no origin, no referer": dict(data=form),
        "other port": dict(data=form, headers={"origin": "http://testserver:8001"}),
        "https origin": dict(data=form, headers={"origin": "https://testserver"}),
        "foreign referer": dict(data=form, headers={"referer": "http://evil.example/q"}),
        "text/plain body": dict(
            content=f"answer={ANSWER}&csrf_token={token}".encode(),
            headers={"origin": ORIGIN, "content-type": "text/plain"},
        ),
        "no token": dict(data={"answer": ANSWER}, headers={"origin": ORIGIN}),
        "wrong token": dict(data={"answer": ANSWER, "csrf_token": "0" * 64}, headers={"origin": ORIGIN}),
    }
    for name, kwargs in cases.items():
        r = web.client.post(f"/q/{QID}", follow_redirects=False, **kwargs)
        assert r.status_code == 403, name
        assert "<h1>Forbidden</h1>" in r.text, name
        assert "not accepted" in r.text or "form on the question page" in r.text, name
        assert r.headers["content-security-policy"] == CSP, name
    # another browser (no session cookie, or another session's cookie) cannot reuse the token
    with TestClient(web.client.app) as other:
        form_token(other)
        r = other.post(f"/q/{QID}", data=form, headers={"origin": ORIGIN}, follow_redirects=False)
        assert r.status_code == 403 and "session token" in r.text
    assert web.judge.calls == 0 and web.store.attempts() == []
    # the page's own form, identified by Origin or by Referer, is accepted
    r = web.client.post(f"/q/{QID}", data=form, headers={"referer": f"{ORIGIN}/q/{QID}"}, follow_redirects=False)
    assert r.status_code == 303
    assert wait_done(web.client, r.headers["location"])["status"] == "done"


def test_session_cookie_is_httponly_and_samesite_strict(web):
    r = web.client.get(f"/q/{QID}")
    cookie = r.headers["set-cookie"].lower()
    assert "grader_session=" in cookie and "httponly" in cookie and "samesite=strict" in cookie
    assert "set-cookie" not in web.client.get(f"/q/{QID}").headers  # one session per browser


def test_host_header_is_checked_when_asked(tmp_path, fake_judge):
    settings = Settings(store=tmp_path / "s.sqlite3", backend="local")
    store = Store(settings.store_path)
    app = create_app(
        settings,
        grader=Grader(settings, backend=fake_judge(), store=store),
        store=store,
        allowed_hosts=["127.0.0.1", "localhost"],
    )
    with TestClient(app, base_url="http://127.0.0.1:8000") as client:
        assert client.get("/").status_code == 200
        assert client.get("/", headers={"host": "evil.example"}).status_code == 400
    store.close()


def test_grading_error_is_shown_not_crashed(tmp_path, fake_judge):
    client, _judge, store = make_client(tmp_path, fake_judge(fail=True))
    with client:
        r = submit(client, QID, ANSWER)
        status = wait_done(client, r.headers["location"])
        assert status["status"] == "error" and "could not be reached" in status["error"]
        page = client.get(r.headers["location"])
        assert page.status_code == 500 and "Grading failed" in page.text and 'http-equiv="refresh"' not in page.text
        assert store.attempts() == []
    store.close()


def test_a_failed_grading_keeps_the_answer(tmp_path, fake_judge):
    """Issue 14, item 5: the failure page holds the answer in a form, and "Back" to the question
    page re-fills it, until an answer to that question is graded."""
    judge = fake_judge(fail=True)
    client, _judge, store = make_client(tmp_path, judge)
    typed = ANSWER.replace("\r\n", "\n")
    with client:
        r = submit(client, QID, ANSWER)
        wait_done(client, r.headers["location"])
        failed = client.get(r.headers["location"]).text
        assert f'<textarea id="answer" name="answer" rows="14">{typed}</textarea>' in failed
        assert 'name="csrf_token"' in failed
        back = client.get(f"/q/{QID}").text  # what the browser's Back button opens
        assert f">{typed}</textarea>" in back and "could not be graded" in back
        judge.fail = False
        r = submit(client, QID, typed)  # submitted again from the re-filled box
        assert wait_done(client, r.headers["location"])["status"] == "done"
        assert typed not in client.get(f"/q/{QID}").text.split("<textarea", 1)[1].split("</textarea>")[0]
        assert [a["answer"] for a in store.attempts()] == [typed]
    store.close()


def test_running_job_finishes_on_shutdown(tmp_path, fake_judge):
    """Issue 14, item 5: stopping the server waits (bounded) for a running grading to finish."""
    settings = Settings(store=tmp_path / "store.sqlite3", backend="local")
    store = Store(settings.store_path)
    judge = fake_judge(delay=0.5)
    app = create_app(settings, grader=Grader(settings, backend=judge, store=store), store=store, shutdown_grace=60)
    with TestClient(app) as client:
        r = submit(client, QID, ANSWER)
        assert r.status_code == 303
    # the client's exit ran the app's shutdown, as Ctrl-C / SIGTERM does under uvicorn
    rows = store.attempts()
    assert len(rows) == 1 and rows[0]["percent"] is not None
    store.close()


def test_job_still_running_at_shutdown_is_saved_as_interrupted(tmp_path, fake_judge):
    """Issue 14, item 5: a grading that does not finish within the grace period is saved, unscored and
    marked interrupted, with the answer; "Try again" re-fills it after a restart."""
    release = threading.Event()

    class StuckJudge(type(fake_judge())):
        async def judge(self, rubric, answer):
            while not release.is_set():
                await asyncio.sleep(0.01)
            return await super().judge(rubric, answer)

    settings = Settings(store=tmp_path / "store.sqlite3", backend="local")
    store = Store(settings.store_path)
    app = create_app(
        settings, grader=Grader(settings, backend=StuckJudge(), store=store), store=store, shutdown_grace=0.2
    )
    try:
        with TestClient(app) as client:
            r = submit(client, QID, ANSWER)
            assert r.status_code == 303
    finally:
        release.set()
    rows = store.attempts()
    assert len(rows) == 1 and rows[0]["answer"] == ANSWER.replace("\r\n", "\n") and rows[0]["percent"] is None
    assert "interrupted" in rows[0]["result_json"]
    app2 = create_app(settings, grader=Grader(settings, backend=fake_judge(), store=store), store=store)
    with TestClient(app2) as client:
        page = client.get(f"/attempt/{rows[0]['id']}")
        assert page.status_code == 200 and "Unscored" in page.text and "interrupted" in page.text
        again = client.get(f"/q/{QID}", params={"from": rows[0]["id"]}).text
        assert "Image-to-video animates a given still" in again
    store.close()


def test_every_error_page_carries_the_security_headers(tmp_path, fake_judge, monkeypatch):
    """Issue 14, item 9: 404, 405, 403, 413, 400 (Host check) and 500 pages all carry the headers."""
    settings = Settings(store=tmp_path / "s.sqlite3", backend="local", max_answer_chars=200)
    store = Store(settings.store_path)
    app = create_app(
        settings,
        grader=Grader(settings, backend=fake_judge(), store=store),
        store=store,
        allowed_hosts=["testserver"],
    )
    with TestClient(app, raise_server_exceptions=False) as client:
        responses = {
            404: client.get("/no/such/page"),
            405: client.put(f"/q/{QID}"),
            403: client.post(f"/q/{QID}", data={"answer": ANSWER}, headers={"origin": "null"}),
            413: client.post(
                f"/q/{QID}",
                content=b"answer=" + b"x" * 200_000,
                headers={"content-type": "application/x-www-form-urlencoded"},
            ),
            400: client.get("/", headers={"host": "evil.example"}),
        }
        monkeypatch.setattr(store, "attempts", lambda **kw: 1 / 0)
        responses[500] = client.get("/")
        for status, r in responses.items():
            assert r.status_code == status, (status, r.text[:200])
            assert r.headers.get("content-security-policy") == CSP, status
            assert r.headers.get("x-content-type-options") == "nosniff", status
            assert r.headers.get("x-frame-options") == "DENY", status
        assert "Traceback" not in responses[500].text and "Server error" in responses[500].text
    store.close()


def test_unknown_attempt_and_job(web):
    assert web.client.get("/attempt/999").status_code == 404
    for key in ("9" * 40, "²", "٣"):  # past SQLite's integers; digits that int() refuses or reads
        r = web.client.get(f"/attempt/{key}")
        assert r.status_code == 404 and "No saved attempt" in r.text
        assert web.client.get(f"/q/{QID}", params={"from": key}).status_code == 200
    assert web.client.get("/attempt/jdeadbeef").status_code == 404
    assert web.client.get("/api/jobs/jdeadbeef").status_code == 404


# -- rendering helpers ----------------------------------------------------------------------------


def test_highlight_answer_escapes_each_segment():
    answer = "a<b & c>d \"e\" 'f'"
    html = highlight_answer(answer, [Highlight(1, 4, ["x"]), Highlight(6, 9, ["y", "z"])], {"x": 1, "y": 2, "z": 3})
    assert str(html) == (
        'a<mark title="evidence for x">&lt;b </mark><sup class="ref">1</sup>&amp; '
        '<mark title="evidence for y, z">c&gt;d</mark><sup class="ref">2,3</sup>'
        " &#34;e&#34; &#39;f&#39;"
    )
    # overlapping or empty spans are never emitted twice
    assert (
        str(highlight_answer("abcdef", [Highlight(0, 3, ["a"]), Highlight(2, 5, ["b"]), Highlight(5, 5, ["c"])]))
        == '<mark title="evidence for a">abc</mark>def'
    )


def test_history_chart_is_plain_svg():
    svg = str(
        history_chart(
            [
                {"id": 1, "question_id": "q<1>", "percent": 30.0, "created_at": "2026-11-01T10:00:00+00:00"},
                {"id": 2, "question_id": "q<1>", "percent": None, "created_at": "2026-11-02T10:00:00+00:00"},
                {"id": 3, "question_id": "q<1>", "percent": 80.0, "created_at": "2026-11-03T10:00:00+00:00"},
            ]
        )
    )
    assert svg.startswith("<svg") and svg.count("<circle") == 2 and "<polyline" in svg
    assert "q&lt;1&gt;" in svg and "<script" not in svg
    assert "no graded attempts yet" in str(history_chart([]))


def test_worker_runs_on_its_own_loop(tmp_path, fake_judge):
    from grader.web.worker import GradingWorker

    seen = {}

    def levels(rubric, answer):  # called inside the judge, on the loop that grades
        seen["loop"] = asyncio.get_running_loop()
        return [Level.full] * len(rubric.criteria)

    settings = Settings(store=tmp_path / "s.sqlite3", backend="local")
    worker = GradingWorker(Grader(settings, backend=fake_judge(levels)))

    async def main():
        result = await worker.grade(default_bank().get(QID), ANSWER)
        return result, asyncio.get_running_loop()

    result, server_loop = asyncio.run(main())
    worker.close()
    assert result.status == "graded" and seen["loop"] is not server_loop


def test_llm_backend_against_the_dev_server(tmp_path):
    """The real LLM judge (openai client) against the project's local OpenAI-compatible server: two
    gradings in a row reuse the client on the worker's loop; the result page shows the evidence."""
    from grader.testing.devserver import DevServer

    with DevServer(mode="honest") as dev:
        settings = Settings(
            store=tmp_path / "s.sqlite3", backend="llm", base_url=dev.base_url, model="dev-model", max_retries=0
        )
        store = Store(settings.store_path)
        app = create_app(settings, store=store)
        with TestClient(app) as client:
            assert "LLM judge · dev-model" in client.get("/").text
            page, _status = grade_via_page(
                client,
                QID,
                (
                    "Temporal coherence is the core challenge that makes text-to-video harder than text-to-image. "
                    "Objects, lighting and physics must stay consistent across frames."
                ),
            )
            assert "<mark" in page.text and re.search(r"\d+(\.\d+)? / 10", page.text)
            grade_via_page(
                client,
                QID,
                "A text-to-image model produces a single frame and never has to keep anything consistent over time.",
            )
        assert dev.requests == 2 and [a["backend"] for a in store.attempts()] == ["llm", "llm"]
        store.close()


def test_embedded_grader_end_to_end(tmp_path):
    """The real embedded grader (no LLM) behind the page: graded off the server's loop, result shown."""
    settings = Settings(store=tmp_path / "s.sqlite3", backend="local")
    store = Store(settings.store_path)
    with TestClient(create_app(settings, store=store)) as client:
        assert "embedded grader" in client.get("/").text
        page, _status = grade_via_page(
            client,
            QID,
            (
                "Text-to-video must keep every frame coherent with the previous ones, "
                "which a single image never has to do. "
                "Objects, lighting and physics have to stay consistent across frames, or faces morph and hands flicker."
            ),
        )
        assert re.search(r"\d+(\.\d+)? / 10", page.text) and 'id="answer"' in page.text
        assert "checks whether each point is covered, not whether" in page.text  # what it cannot judge
        assert store.attempts()[0]["backend"] == "local"
    store.close()
