"""Issue 14 item 7: a server that echoes the API key in an error never gets it into any output —
stderr, results.csv / JSONL error rows, the web page or ``/api/jobs/{id}``."""

from __future__ import annotations

import asyncio

import pytest
from starlette.testclient import TestClient
from test_web import submit, wait_done  # the page's own form (session token, same origin)

from grader.batch.runner import run_batch
from grader.grading import Grader
from grader.settings import Settings
from grader.store import Store
from grader.text import REDACTED, redact
from grader.web.app import create_app

#: Not shaped like any known key, so only the redaction of the *configured* key can hide it.
KEY = "hunter2-Zq8wXy7v"
#: Shaped like an OpenAI key: hidden even when it is not the configured one.
SK_KEY = "sk-proj-AbCdEf0123456789xyz"


@pytest.mark.parametrize(
    ("text", "secrets", "gone"),
    [
        (f"bad key {KEY} here", (KEY,), KEY),
        (f"Authorization: Bearer {KEY}", (), KEY),
        (f"key {SK_KEY} rejected", (), SK_KEY),
        (f'{{"api_key": "{KEY}"}}', (), KEY),
        (f"api-key={KEY}", (), KEY),
    ],
)
def test_redact_hides_configured_and_key_shaped_text(text, secrets, gone):
    out = redact(text, *secrets)
    assert gone not in out and REDACTED in out


def test_redact_keeps_ordinary_text():
    text = "the server answered HTTP 400: 'temperature' must be a number; ask-me-anything"
    assert redact(text, None, "") == text


def test_cli_grade_does_not_print_an_echoed_key(cli, dev_server, monkeypatch):
    server = dev_server(faults=["400key"])
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    code, out, err = cli(
        "grade", "-q", "vid-01", "--base-url", server.base_url, "--model", "m", "--no-cache", "-a", "word " * 30
    )
    assert code == 3, err
    assert "HTTP 400" in err and "temperature" in err
    assert KEY not in out + err and REDACTED in err


def test_batch_error_rows_do_not_hold_an_echoed_key(dev_server, bank, tmp_path, good_answer):
    src = tmp_path / "in.csv"
    src.write_text(
        "candidate_id,question_id,answer\n" + "".join(f'c{i},t-diffusion,"{good_answer} {i}"\n' for i in range(3)),
        encoding="utf-8",
    )

    async def go(out):
        server = dev_server(faults=["400key"] * 3)
        settings = Settings(api_key=KEY, base_url=server.base_url, model="m", store=tmp_path / "s.sqlite3")
        grader = Grader(settings, bank=bank, store=Store(settings.store_path))
        try:
            return await run_batch(grader, src, out)
        finally:
            await grader.aclose()

    for name in ("out.csv", "out.jsonl"):
        out = tmp_path / name
        asyncio.run(go(out))
        text = out.read_text(encoding="utf-8")
        assert text.count("HTTP 400") == 3, text[:300]
        assert KEY not in text and REDACTED in text


def test_web_job_and_page_do_not_show_an_echoed_key(dev_server, tmp_path):
    server = dev_server(faults=["400key"])
    settings = Settings(
        api_key=KEY, base_url=server.base_url, model="m", backend="llm", store=tmp_path / "s.sqlite3", max_retries=0
    )
    store = Store(settings.store_path)
    app = create_app(settings, grader=Grader(settings, store=store), store=store)
    with TestClient(app) as client:
        r = submit(client, "vid-01-text-to-video-vs-image", "word " * 30)  # the page's own form: token, origin
        assert r.status_code == 303, r.text
        status = wait_done(client, r.headers["location"])
        assert status["status"] == "error" and "HTTP 400" in status["error"], status
        page = client.get(r.headers["location"])
        assert "HTTP 400" in page.text
        assert KEY not in status["error"] and KEY not in page.text
    store.close()
