"""Checks for the AI Video Generation Specialist rubric bank (rubrics/ai-video-generation-specialist).

Offline. The seed-equality test needs the seed file next to the repository
(``../shared/seeds/000_21d134c569f3d238.txt``) and is skipped when it is absent; every other
check runs against the YAML files alone.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
try:
    from grader.rubric import SECTIONS, load_bank, load_rubric
except ImportError:  # plain `pytest` from a checkout where the package is not installed
    sys.path.insert(0, str(REPO))
    from grader.rubric import SECTIONS, load_bank, load_rubric

BANK_ID = "ai-video-generation-specialist"
BANK_DIR = REPO / "rubrics" / BANK_ID
SEED = Path(__file__).resolve().parents[2] / "shared/seeds/000_21d134c569f3d238.txt"
SECTION_COUNTS = {
    "Beginner": 5,
    "Intermediate": 10,
    "Advanced": 10,
    "Scenario-Based": 10,
    "AI Workflow & Tools": 10,
    "Behavioral": 5,
}
# 2-4 short words; "text-to-video" style compounds may add a part, hence up to 5 parts.
ID_RE = re.compile(r"^vid-(\d{2})-[a-z0-9]+(?:-[a-z0-9]+){1,4}$")

# Words of 4+ letters that carry no rubric content ("A strong answer covers ...").
FILLER = {
    "strong",
    "answer",
    "answers",
    "covers",
    "candidate",
    "should",
    "discuss",
    "look",
    "discussion",
    "mentions",
    "good",
    "best",
    "demonstrates",
    "describe",
    "explains",
    "include",
    "includes",
    "involves",
    # inflections / synonyms of the above that the seed uses the same way
    "cover",
    "mention",
    "comprehensive",
    "explanation",
}


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def content_words(hint: str) -> set[str]:
    return {w for w in _words(hint) if len(w) >= 4 and re.search("[a-z]", w) and w not in FILLER}


def seed_hints(path: Path) -> list[tuple[str, str]]:
    """(section, hint) pairs from the seed: strip the 'N questions' prefix, fix the garbled arrow."""
    out: list[tuple[str, str]] = []
    section = None
    for line in path.read_text(encoding="utf-8").splitlines():
        s = line.strip()
        if s in SECTION_COUNTS:
            section = s
            continue
        if section is None or not s:
            continue
        s = re.sub(r"^\d+ questions(?=\S)", "", s)
        out.append((section, s.replace("\u03b2", "\u2192")))
    return out


@pytest.fixture(scope="module")
def files() -> list[Path]:
    return sorted(BANK_DIR.glob("vid-*.yaml"))


@pytest.fixture(scope="module")
def rubrics(files):
    return [load_rubric(f) for f in files]


def test_fifty_files_load_and_ids_match_names(files, rubrics):
    assert len(files) == 50
    for f, r in zip(files, rubrics):
        assert r.id == f.stem, f
        m = ID_RE.match(r.id)
        assert m, f"{r.id}: expected vid-NN-<2-4 word slug>"
        assert int(m.group(1)) == r.number, r.id
        assert r.bank == BANK_ID, r.id
        assert r.max_score == 10, r.id
        assert r.kind == "hint" and r.hint and not r.reference_answer, r.id


def test_numbers_and_sections_in_seed_order(rubrics):
    assert [r.number for r in rubrics] == list(range(1, 51))
    assert tuple(SECTION_COUNTS) == SECTIONS
    expected = [s for s, n in SECTION_COUNTS.items() for _ in range(n)]
    assert [r.section for r in rubrics] == expected
    assert Counter(r.section for r in rubrics) == Counter(SECTION_COUNTS)


def test_load_bank_sees_exactly_these_rubrics(rubrics):
    bank = load_bank(BANK_DIR)
    assert bank.ids == [r.id for r in rubrics]
    assert bank.sections() == list(SECTIONS)


def test_unique_ids_questions_and_hints(rubrics):
    for attr in ("id", "question", "hint"):
        values = [getattr(r, attr) for r in rubrics]
        dupes = [v for v, n in Counter(values).items() if n > 1]
        assert not dupes, f"duplicate {attr}: {dupes}"


def test_criteria_shape(rubrics):
    for r in rubrics:
        assert 3 <= len(r.criteria) <= 7, r.id
        assert len(set(r.criterion_ids)) == len(r.criteria), r.id
        for c in r.criteria:
            assert c.weight == int(c.weight) and 1 <= c.weight <= 5, (r.id, c.id)
            assert c.covers, (r.id, c.id)
            assert c.text.strip().endswith((".", "'", '"')), (r.id, c.id)
        assert max(c.weight for c in r.criteria) >= 2, r.id


def test_covers_are_verbatim_fragments_of_the_hint(rubrics):
    for r in rubrics:
        for c in r.criteria:
            for frag in c.covers:
                assert frag.strip() and frag in r.hint, (r.id, c.id, frag)


def test_every_content_word_of_the_hint_is_covered(rubrics):
    problems = {}
    for r in rubrics:
        covered = {w for c in r.criteria for frag in c.covers for w in _words(frag)}
        missing = sorted(content_words(r.hint) - covered)
        if missing:
            problems[r.id] = missing
    assert not problems, problems


def test_hints_have_no_garbled_arrows(rubrics):
    for r in rubrics:
        assert "\u03b2" not in r.hint and "\u03b2" not in r.question, r.id


def test_bank_yaml():
    data = yaml.safe_load((BANK_DIR / "bank.yaml").read_text(encoding="utf-8"))
    assert data == {
        "id": BANK_ID,
        "title": "AI Video Generation Specialist",
        "source": "../shared/seeds/000_21d134c569f3d238.txt (50 interview hints)",
        "sections": list(SECTIONS),
    }


@pytest.mark.skipif(not SEED.is_file(), reason=f"seed file not found at {SEED}")
def test_hints_equal_the_seed_in_order(rubrics):
    seed = seed_hints(SEED)
    assert len(seed) == 50
    assert [(r.section, r.hint) for r in rubrics] == seed
