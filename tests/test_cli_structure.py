"""The shape of the command line: every command registered, command modules independent of the app,
one exit-code enum, and messages that rich never wraps."""

from __future__ import annotations

import ast
import importlib
import re
import subprocess
import sys
from pathlib import Path

import pytest

from grader.exit_codes import ExitCode

ROOT = Path(__file__).resolve().parents[1]
CLI_DIR = ROOT / "grader" / "cli"
#: Modules of grader/cli that are not commands: the app, the shared helpers, the rich views.
SUPPORT = {"__init__", "app", "common", "render"}
#: What a command module may import from its own package (besides its own helper modules, named
#: ``<command>_…``: ``batch_api`` holds the Batch API paths of ``batch``).
ALLOWED_CLI_IMPORTS = {"grader.cli.common", "grader.cli.render"}

COMMANDS = [
    "grade",
    "prompt",
    "batch",
    "calibrate",
    "practice",
    "history",
    "report",
    "review",
    "serve",
    "rubrics",
    "rubric",
    "examples",
]
SUBCOMMANDS = {
    "rubrics": ["list", "show"],
    "rubric": ["build"],
    "examples": ["import", "list", "export", "remove"],
}


def _command_modules() -> list[str]:
    """Every module of grader/cli that defines ``register(app)``."""
    names = []
    for path in sorted(CLI_DIR.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        if any(isinstance(n, ast.FunctionDef) and n.name == "register" for n in tree.body):
            names.append(path.stem)
    return names


def _commands_in_help(text: str) -> list[str]:
    block = text.split("Commands:", 1)[1]
    return [m.group(1) for m in re.finditer(r"^  (\S+)", block, re.M)]


def test_help_lists_every_command_in_order(cli):
    code, out, _ = cli("--help")
    assert code == ExitCode.OK
    assert _commands_in_help(out) == COMMANDS
    for group, subs in SUBCOMMANDS.items():
        code, out, _ = cli(group, "--help")
        assert code == ExitCode.OK and _commands_in_help(out) == subs


@pytest.mark.parametrize("command", [*COMMANDS, *(f"{g} {s}" for g, subs in SUBCOMMANDS.items() for s in subs)])
def test_every_command_has_help(cli, command):
    code, out, err = cli(*command.split(), "--help")
    assert code == ExitCode.OK and out.startswith("Usage: "), err


def test_every_command_module_is_registered():
    from grader.cli.app import COMMAND_MODULES

    registered = {m.__name__.rsplit(".", 1)[1] for m in COMMAND_MODULES}
    assert registered == set(_command_modules()) - SUPPORT


@pytest.mark.parametrize("name", sorted({p.stem for p in CLI_DIR.glob("*.py")} - {"__init__", "app"}))
def test_modules_import_nothing_of_the_cli_but_common_and_render(name):
    tree = ast.parse((CLI_DIR / f"{name}.py").read_text(encoding="utf-8"))
    imported = set()
    for node in ast.walk(tree):  # function-level imports too
        if isinstance(node, ast.Import):
            imported |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module)
            if node.module == "grader.cli":
                imported |= {f"grader.cli.{a.name}" for a in node.names}
    cli_imports = {m for m in imported if m == "grader.cli" or m.startswith("grader.cli.")} - {"grader.cli"}
    own_helpers = {m for m in cli_imports if m.startswith(f"grader.cli.{name}_")}
    assert cli_imports - own_helpers <= ALLOWED_CLI_IMPORTS - {f"grader.cli.{name}"}, name


def test_command_modules_import_alone_without_the_app():
    modules = [f"grader.cli.{n}" for n in _command_modules()]
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name).register\n"
        "loaded = sorted(m for m in sys.modules if m.startswith('grader.cli.'))\n"
        "assert 'grader.cli.app' not in loaded, loaded\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr


def test_the_console_script_names_main():
    import tomllib

    target = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]["grader"]
    module, _, attr = target.partition(":")
    assert callable(getattr(importlib.import_module(module), attr))


# -- messages are never wrapped by rich --------------------------------------------------------------


def _is_text(node: ast.expr) -> bool:
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.BinOp):
        return _is_text(node.left) or _is_text(node.right)
    return False


def _unwrapped_text_prints() -> list[str]:
    found = []
    for path in sorted(CLI_DIR.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "print"
                and node.args
                and _is_text(node.args[0])
                and not any(k.arg == "soft_wrap" for k in node.keywords)
            ):
                found.append(f"{path.name}:{node.lineno}")
    return found


def test_text_printed_through_rich_says_whether_it_may_wrap():
    """Messages go through ``echo``/``print_line`` (soft wrap); any other ``console.print`` of text
    states ``soft_wrap`` (False only for prose inside a view, which rich may wrap between words)."""
    assert _unwrapped_text_prints() == []


def test_a_long_error_line_is_one_line_at_any_width(cli):
    missing = "/no/" + "a-rather-long-directory-name/" * 6 + "answers.csv"
    code, _, err = cli("batch", missing, "-o", "results.csv")
    assert code == ExitCode.BAD_INPUT
    assert err == f"error: {missing}: file not found\n"


# -- exit codes ---------------------------------------------------------------------------------------


def test_exit_codes_match_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("### Exit codes", 1)[1].split("\n## ", 1)[0]
    documented = {int(m.group(1)) for m in re.finditer(r"^\| (\d+) \|", table, re.M)}
    assert documented == {int(c) for c in ExitCode}


def test_errors_carry_their_exit_code():
    from grader.batch.runner import FatalBatchError
    from grader.errors import BudgetExceeded, ConfigError, GraderError, InputError, JudgeError, RubricError

    assert GraderError.exit_code is ExitCode.INTERNAL_ERROR
    assert ConfigError.exit_code is RubricError.exit_code is InputError.exit_code is ExitCode.BAD_INPUT
    assert JudgeError.exit_code is FatalBatchError.exit_code is ExitCode.JUDGE_FAILED
    assert BudgetExceeded.exit_code is ExitCode.BUDGET_REACHED
