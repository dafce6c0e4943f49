"""The ``grader`` command line: one module per command, registered explicitly in :mod:`grader.cli.app`.

``main`` is the console script (``grader = "grader.cli:main"``). It loads :mod:`grader.cli.app` when
called, so importing one command module (``grader.cli.batch``) loads neither the app nor the other
commands.
"""

from __future__ import annotations

__all__ = ["main"]


def main(argv: list[str] | None = None) -> None:
    """Run ``grader`` with ``argv`` (default: ``sys.argv[1:]``); exits with the command's exit code."""
    from grader.cli.app import main as run

    run(argv)
