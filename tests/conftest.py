"""Shared fixtures: an isolated environment (autouse), a small rubric built in code, the ``cli``
runner (the ``grader`` command in-process, at a fixed width), a DevServer factory, a real llama.cpp
server (``llama_server``, session-scoped) and the cassette matcher used by ``tests/test_cassettes.py``."""

from __future__ import annotations

import io
import json
import os
import sys
from collections.abc import Callable, Iterator
from typing import Any, NamedTuple

import pytest

from grader.rubric import Criterion, Rubric, RubricBank
from grader.testing.devserver import DevServer
from grader.testing.llama import LlamaServer, unavailable

#: A three-criterion rubric (weights 2, 1, 1), and an answer that DevServer's honest judge grades
#: full / full / partial: 8.75 out of 10.
RUBRIC = Rubric(
    id="t-diffusion",
    section="Intermediate",
    question="How do diffusion models generate video?",
    hint="A strong answer covers denoising, temporal consistency and how quality is evaluated.",
    criteria=(
        Criterion(
            id="denoising",
            weight=2,
            text="Explains that diffusion models learn to reverse a gradual noising process by iterative denoising",
        ),
        Criterion(
            id="temporal",
            weight=1,
            text=(
                "Describes how temporal consistency across frames is maintained, "
                "for example with temporal attention layers"
            ),
        ),
        Criterion(
            id="evaluation",
            weight=1,
            text="Names metrics for evaluating generated video quality such as FVD or human preference studies",
        ),
    ),
    max_score=10,
)
GOOD_ANSWER = (
    "Diffusion models learn to reverse a gradual noising process, starting from pure noise and applying "
    "iterative denoising steps. For video, temporal attention layers keep objects consistent across frames. "
    "I would evaluate the results with FVD and a small human preference study."
)


@pytest.fixture(autouse=True)
def isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """No test sees the developer's keys, base URL, GRADER_* settings, config file or home directory."""
    for name in list(os.environ):
        if name.startswith(("GRADER_", "OPENAI_")):
            monkeypatch.delenv(name, raising=False)
    root = tmp_path_factory.mktemp("env")
    home = root / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GRADER_CONFIG", str(root / "config.toml"))  # does not exist: defaults apply
    for var, sub in (("XDG_CONFIG_HOME", ".config"), ("XDG_DATA_HOME", ".local/share"), ("XDG_CACHE_HOME", ".cache")):
        monkeypatch.setenv(var, str(home / sub))


@pytest.fixture
def rubric() -> Rubric:
    return RUBRIC


@pytest.fixture
def good_answer() -> str:
    return GOOD_ANSWER


@pytest.fixture
def bank(rubric: Rubric) -> RubricBank:
    return RubricBank([rubric], source="tests")


# -- the command line ----------------------------------------------------------------------------

#: The width of the consoles in CLI tests, whatever the terminal or ``COLUMNS`` says.
CLI_WIDTH = 80


class CliResult(NamedTuple):
    """What one ``grader`` run gave: the exit code, stdout and stderr (``code, out, err = cli(...)``)."""

    code: int
    out: str
    err: str

    @property
    def output(self) -> str:
        """stdout, then stderr."""
        return self.out + self.err


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Callable[..., CliResult]:
    """Run ``grader`` in-process: ``cli("grade", "-q", "vid-05", "-a", text)`` → :class:`CliResult`.

    The arguments may be strings, paths or numbers; ``input`` is what stdin holds (nothing by default, and
    never a terminal). The consoles are replaced by ones of width :data:`CLI_WIDTH` that are not a
    terminal (no colours, no live progress), so the output does not depend on the terminal, on
    ``COLUMNS`` or on ``FORCE_COLOR``.
    """
    from grader.cli import common, main

    for name, stderr in (("console", False), ("err_console", True)):
        monkeypatch.setattr(
            common,
            name,
            common.SafeConsole(
                stderr=stderr, width=CLI_WIDTH, force_terminal=False, force_interactive=False, color_system=None
            ),
        )

    def run(*args: object, input: str = "") -> CliResult:
        monkeypatch.setattr(sys, "stdin", io.StringIO(input))
        capsys.readouterr()  # what the test printed before is not the command's output
        with pytest.raises(SystemExit) as exc:
            main([str(a) for a in args])
        out, err = capsys.readouterr()
        return CliResult(int(exc.value.code or 0), out, err)

    return run


@pytest.fixture
def dev_server() -> Iterator[Callable[..., DevServer]]:
    """Factory: ``dev_server(faults=[...], mode=..., ...)`` starts a DevServer, stopped after the test."""
    servers: list[DevServer] = []

    def start(**kwargs) -> DevServer:
        server = DevServer(**kwargs).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture(scope="session")
def llama_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LlamaServer]:
    """A real llama.cpp server (xllamacpp + SmolLM2-135M, both from the ``test`` extra) in a child
    process on a free 127.0.0.1 port, shared by the session, stopped at the end. Skipped, with the
    reason, only when those packages are not installed."""
    reason = unavailable()
    if reason:
        pytest.skip(reason)
    server = LlamaServer(log=tmp_path_factory.mktemp("llama") / "server.log")
    server.start()
    yield server
    server.stop()


def _chat_shape(body: bytes | str | None) -> tuple:
    try:
        data = json.loads(body or b"null")
    except ValueError:
        return ("not-json",)
    if not isinstance(data, dict):
        return ("not-an-object",)
    rf = data.get("response_format") or {}
    roles = tuple(m.get("role") for m in data.get("messages") or [] if isinstance(m, dict))
    return data.get("model"), rf.get("type") if isinstance(rf, dict) else None, roles


def chat_shape(r1, r2) -> None:
    """vcrpy matcher: same model, response_format type and message roles (so a replayed re-ask must
    really send the re-ask), without comparing prompt text, so editing a template keeps cassettes valid."""
    a, b = _chat_shape(r1.body), _chat_shape(r2.body)
    assert a == b, f"chat request shape differs: {a} != {b}"


def pytest_recording_configure(config: pytest.Config, vcr) -> None:
    vcr.register_matcher("chat_shape", chat_shape)


# -- the shared in-process judge -------------------------------------------------------------------


@pytest.fixture
def fake_judge() -> Callable[..., Any]:
    """Factory: ``fake_judge(levels=..., delay=..., fail=..., deterministic=..., usage=...)`` makes a
    :class:`grader.testing.fake.FakeJudge` (``name = "fake"``), the suite's one in-process judge double.
    By default criterion *i* is ``full`` and quotes the answer's *i*-th sentence."""
    from grader.testing.fake import FakeJudge

    return FakeJudge
