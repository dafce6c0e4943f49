"""The package ships its rubrics, prompts, templates and model: install a clean copy with
``pip install .`` into a fresh virtualenv, then run the installed CLI from another directory."""

import shutil
import subprocess
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _clean_copy(dest: Path) -> None:
    files = (
        subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=ROOT,
            capture_output=True,
            check=True,
        )
        .stdout.decode()
        .split("\0")
    )
    for rel in filter(None, files):
        src = ROOT / rel
        if src.is_file():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / rel)


@pytest.mark.slow
def test_pip_install_from_clean_copy_ships_data(tmp_path):
    src = tmp_path / "src"
    _clean_copy(src)
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    py = env_dir / "bin" / "python"
    install = subprocess.run([str(py), "-m", "pip", "install", "-q", str(src)], capture_output=True, text=True)
    assert install.returncode == 0, install.stderr[-3000:]
    shutil.rmtree(src)  # the installed package must not need the source tree
    grader = env_dir / "bin" / "grader"
    work = tmp_path / "elsewhere"
    work.mkdir()
    env = {
        "PATH": f"{env_dir / 'bin'}:/usr/bin:/bin",
        "HOME": str(tmp_path / "home"),
        "GRADER_STORE": str(tmp_path / "store.sqlite3"),
    }

    listed = subprocess.run(
        [str(grader), "rubrics", "list", "--json"], cwd=work, env=env, capture_output=True, text=True
    )
    assert listed.returncode == 0, listed.stderr
    assert len(listed.stdout.splitlines()) == 50

    answer = work / "a.txt"
    answer.write_text("Temporal consistency means objects stay stable across frames; flicker is a failure.")
    shown = subprocess.run(
        [str(grader), "prompt", "vid-05", "--answer-file", str(answer)],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
    )
    assert shown.returncode == 0, shown.stderr
    assert "<<<CANDIDATE_ANSWER>>>" in shown.stdout and "flicker is a failure" in shown.stdout

    graded = subprocess.run(
        [str(grader), "grade", "-q", "vid-05", "--answer-file", str(answer), "--json"],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
    )
    assert graded.returncode == 0, graded.stderr
    assert '"backend": "local"' in graded.stdout  # the embedded model shipped too
    site = subprocess.run(
        [str(py), "-c", "import grader, pathlib; print(pathlib.Path(grader.__file__).parent)"],
        capture_output=True,
        text=True,
        env=env,
        cwd=work,
    ).stdout.strip()
    assert str(env_dir) in site
