"""The import contracts in pyproject.toml name their modules one by one: a module added to the package
and forgotten there would escape them silently. Every top-level module of ``grader`` is either listed
in each contract (itself or a parent package) or named here as deliberately outside it."""

from __future__ import annotations

import pkgutil
import tomllib
from pathlib import Path

import pytest

import grader

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"

#: Modules outside a contract on purpose, by the start of the contract's name.
OUTSIDE = {
    # The command line and the test support are what library code must not import.
    "Library code never imports": {"grader.__main__", "grader.cli", "grader.testing"},
    # The adapter itself (grader.judges.openai_api) imports openai; its siblings are listed one by one.
    "Only the OpenAI adapter": {"grader.judges"},
    # The user-facing layers that may draw with rich or serve with starlette.
    "Only the command line, the web app": {
        "grader.__main__",
        "grader.cli",
        "grader.report",
        "grader.testing",
        "grader.web",
    },
}


def _contracts() -> list[dict[str, object]]:
    with PYPROJECT.open("rb") as fh:
        contracts: list[dict[str, object]] = tomllib.load(fh)["tool"]["importlinter"]["contracts"]
    return contracts


def _outside(name: str) -> set[str]:
    return next(mods for start, mods in OUTSIDE.items() if name.startswith(start))


@pytest.mark.parametrize("contract", _contracts(), ids=lambda c: str(c["name"])[:40])
def test_every_top_level_module_is_in_the_contract_or_named_as_outside(contract: dict[str, object]) -> None:
    listed = set(contract["source_modules"])  # type: ignore[call-overload]
    modules = {m.name for m in pkgutil.iter_modules(grader.__path__, "grader.")}
    outside = _outside(str(contract["name"]))
    assert outside <= modules, f"names no module of the package: {outside - modules}"
    missing = sorted(m for m in modules - outside if m not in listed)
    assert not missing, f"{contract['name']!r}: add {missing} to its source_modules in pyproject.toml"
