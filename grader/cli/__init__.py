"""The ``grader`` command line: one module per command, registered in :mod:`.app`."""

from grader.cli.app import app, main

__all__ = ["app", "main"]
