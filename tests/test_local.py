"""The embedded grader (grader/local.py): passages, the calibration file, level allocation, the
example answers' ranking, evidence, the rubric cache, batching, and a small end-to-end calibration
on SAF. Uses the shipped int8 MiniLM model (offline)."""

from __future__ import annotations

import asyncio
import importlib.util
import json
import random
from itertools import pairwise
from pathlib import Path

import numpy as np
import pytest

from grader.errors import ConfigError
from grader.grading import Grader
from grader.judges.local.judge import (
    FEATURES,
    Calibration,
    LocalJudge,
    allocate_levels,
    load_calibration,
    requested_count,
    rubric_texts,
    segments,
)
from grader.rubric import default_bank
from grader.settings import Settings
from grader.verdict import LEVEL_VALUE, Level

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples" / "answers"
SAF = REPO.parent / "shared" / "datasets" / "saf" / "saf_en.csv"
RANK = {Level.missing: 0, Level.partial: 1, Level.full: 2}


@pytest.fixture(scope="module")
def judge() -> LocalJudge:
    return LocalJudge()


# -- passages ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "answer",
    [
        "One sentence only",
        "First point. Second point!  Third point?\nA line\n\n  indented line after a blank line.",
        "word " * 95 + "end.",  # one long sentence: cut into pieces
        "Ünïcödé — “quotes” and  double  spaces. " * 3,
        "   ",
    ],
)
def test_segments_are_verbatim_slices_covering_each_word_once(answer):
    segs = segments(answer)
    for s in segs:
        assert answer[s.start : s.end] == s.text and s.text == s.text.strip() and s.text
        assert len(s.text.split()) <= 30
    assert [w for s in segs for w in s.text.split()] == answer.split()  # every word once, in order
    assert all(a.end <= b.start for a, b in pairwise(segs))


def test_long_sentence_pieces_are_balanced():
    segs = segments(" ".join(f"w{i}" for i in range(45)) + ".")
    assert [len(s.text.split()) for s in segs] == [15, 15, 15]
    assert not any(s.sentence for s in segs)


# -- calibration ---------------------------------------------------------------------------------------


def test_shipped_calibration_loads_and_documents_its_fields():
    cal = load_calibration()
    assert cal.fitted and set(cal.features) <= set(FEATURES)
    assert len(cal.coef) == len(cal.mean) == len(cal.scale) == len(cal.features)
    assert cal.level_slope > 0
    data = json.loads((REPO / "grader" / "judges" / "local" / "data" / "local_calibration.json").read_text())
    for key in ("source", "model", "level_map", "labels", "selection", "results", "fields"):
        assert key in data
    assert "training" in data["source"]
    assert 0.0 <= cal.predict({f: 0.5 for f in FEATURES}) <= 1.0
    assert cal.version == load_calibration().version


def test_missing_and_malformed_calibration(tmp_path):
    assert not load_calibration(tmp_path / "none.json").fitted  # falls back to fixed thresholds
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps(
            {"partial": 0.3, "full": 0.6, "model": {"features": ["nope"], "mean": [0], "scale": [1], "coef": [1]}}
        )
    )
    with pytest.raises(ConfigError, match="unknown feature"):
        load_calibration(bad)
    bad.write_text("{not json")
    with pytest.raises(ConfigError, match="invalid calibration file"):
        load_calibration(bad)


def test_score_model_is_monotone_in_the_similarity_features():
    cal = load_calibration()
    base = {f: 0.4 for f in FEATURES}
    for f in cal.features:
        if f in ("log_words", "new_words", "lexical_precision", "answer_question"):
            continue
        assert cal.predict({**base, f: 0.8}) >= cal.predict(base), f


# -- levels ----------------------------------------------------------------------------------------------


def test_levels_are_monotone_in_similarity_and_track_the_score():
    rng = random.Random(7)
    for _ in range(500):
        n = rng.randint(1, 12)
        sims = [rng.random() for _ in range(n)]
        weights = [rng.choice([1, 2, 3, 4]) for _ in range(n)]
        score = rng.random()
        levels = allocate_levels(sims, weights, score)
        by_sim = [RANK[levels[k]] for k in sorted(range(n), key=lambda k: -sims[k])]
        assert by_sim == sorted(by_sim, reverse=True)  # a more similar criterion never gets less
        got = sum(w * LEVEL_VALUE[lv] for w, lv in zip(weights, levels)) / sum(weights)
        assert got <= score + 0.25 * max(weights) / sum(weights) + 1e-9
    assert allocate_levels([0.9, 0.1], [1, 1], 1.0) == [Level.full, Level.full]
    assert allocate_levels([0.9, 0.1], [1, 1], 0.0) == [Level.missing, Level.missing]
    assert allocate_levels([0.9, 0.1], [1, 1], 1.0, floor=0.5) == [Level.full, Level.missing]


def test_fixed_threshold_levels_are_monotone():
    cal = Calibration()
    values = [RANK[cal.level(s)] for s in np.linspace(-1, 1, 81)]
    assert values == sorted(values)


def test_judge_levels_follow_the_criterion_similarities(judge):
    rubric = default_bank().get("vid-15")
    outcome = judge.judge_sync(rubric, (EXAMPLES / "vid-15-character-consistency.partial.txt").read_text())
    levels = [RANK[c.level] for c in outcome.verdict.criteria]
    order = sorted(range(len(levels)), key=lambda k: -outcome.details["similarities"][k])
    assert [levels[k] for k in order] == sorted(levels, reverse=True)
    assert outcome.details["score"] is not None and set(outcome.details["features"]) == set(FEATURES)


# -- the example answers -------------------------------------------------------------------------------


def example_scores() -> dict[str, dict[str, object]]:
    grader = Grader(Settings(backend="local", use_cache=False))
    out: dict[str, dict[str, object]] = {}
    for path in sorted(EXAMPLES.glob("*.txt")):
        qid, kind, _ = path.name.rsplit(".", 2)
        out.setdefault(qid, {})[kind] = grader.grade(qid, path.read_text(encoding="utf-8"))
    return out


@pytest.fixture(scope="module")
def examples():
    return example_scores()


def test_examples_rank_strong_partial_weak(examples, judge):
    bank = default_bank()
    assert len(examples) == 6
    for qid, results in examples.items():
        strong, partial, weak = (results[k] for k in ("strong", "partial", "weak"))
        # the reported (level-summed) score: strong ≥ partial > weak; near-complete coverage can tie
        # at the top, because three coarse levels cannot separate two answers the model puts above 0.93
        assert strong.score >= partial.score > weak.score, (qid, strong.score, partial.score, weak.score)
        # the model's continuous score separates all three
        model = [
            judge.judge_sync(bank.get(qid), (EXAMPLES / f"{qid}.{k}.txt").read_text()).details["score"]
            for k in ("strong", "partial", "weak")
        ]
        assert model[0] > model[1] > model[2], (qid, model)
        assert strong.percent >= 75 and weak.percent < 75


def test_example_evidence_is_verbatim_and_verified(examples):
    for qid, results in examples.items():
        for kind in ("strong", "partial", "weak"):
            result = results[kind]
            answer = (EXAMPLES / f"{qid}.{kind}.txt").read_text(encoding="utf-8")
            assert "unverified_evidence" not in {f.code for f in result.flags}, (qid, kind)
            for c in result.criteria:
                for e in c.evidence:
                    assert e.verified and e.quote in answer
                assert (c.awarded == Level.missing) == (not c.evidence)


def test_injection_examples_are_flagged(examples):
    for qid, results in examples.items():
        codes = {f.code for f in results["injection"].flags}
        assert "injection_suspected" in codes, qid


# -- caching and batching -----------------------------------------------------------------------------------


class CountingEmbedder:
    """Deterministic fake vectors (hash-seeded), counting which texts are embedded."""

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def encode(self, texts, batch_size: int = 32):
        self.calls.append(list(texts))
        out = np.empty((len(texts), 384), dtype=np.float32)
        for i, t in enumerate(texts):
            v = np.random.default_rng(abs(hash(t)) % 2**32).standard_normal(384)
            out[i] = v / np.linalg.norm(v)
        return out


def test_a_rubric_is_embedded_once(tmp_path):
    embedder = CountingEmbedder()
    judge = LocalJudge(embedder=embedder)
    rubric = default_bank().get("vid-06")
    texts, _ = rubric_texts(rubric)
    for answer in ("A dolly shot at golden hour. Wide-angle lens.", "Mood and style matter. Subject detail too."):
        judge.judge_sync(rubric, answer)
    assert sum(1 for call in embedder.calls if call == texts) == 1
    assert judge.rubric_encodes == 1
    LocalJudge(embedder=embedder).judge_sync(rubric, "Another answer about lenses.")
    assert sum(1 for call in embedder.calls if call == texts) == 1  # the cache is per process, not per judge


def test_judge_many_is_one_encode_and_equals_one_by_one():
    embedder = CountingEmbedder()
    judge = LocalJudge(embedder=embedder)
    bank = default_bank()
    items = [
        (bank.get("vid-05"), "Flickering and morphing are failures. Identity drift too."),
        (bank.get("vid-21"), "CFG scale trades prompt adherence for diversity. High values oversaturate."),
        (bank.get("vid-05"), "Objects and lighting stay stable frame to frame."),
    ]
    for r, _ in items:
        judge.rubric_vectors(r)
    embedder.calls.clear()
    many = judge.judge_many(items)
    assert len(embedder.calls) == 1
    single = [judge.judge_sync(r, a) for r, a in items]
    assert [m.details["score"] for m in many] == pytest.approx([s.details["score"] for s in single])
    assert [m.verdict for m in many] == [s.verdict for s in single]


async def test_concurrent_judge_calls_are_coalesced():
    embedder = CountingEmbedder()
    judge = LocalJudge(embedder=embedder)
    rubric = default_bank().get("vid-05")
    judge.rubric_vectors(rubric)
    embedder.calls.clear()
    answers = [f"Answer number {i} talks about flickering frames." for i in range(10)]
    outcomes = await asyncio.gather(*(judge.judge(rubric, a) for a in answers))
    assert len(outcomes) == 10 and len(embedder.calls) < 10
    assert [o.verdict for o in outcomes] == [judge.judge_sync(rubric, a).verdict for a in answers]


def test_requested_count():
    assert requested_count("Give two reasons for your answer in 2-4 sentences.") == 2
    assert requested_count("Describe two benefits and two drawbacks.") == 4
    assert requested_count("State at least 4 of the differences.") == 4
    assert requested_count("What is a seed?") is None


# -- an end-to-end calibration on a small SAF slice ------------------------------------------------------------


def _fit_module():
    path = REPO / "scripts" / "fit_local_calibration.py"
    spec = importlib.util.spec_from_file_location("fit_local_calibration", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.skipif(not SAF.is_file(), reason="SAF is not next to the repository")
def test_end_to_end_calibration_on_a_small_saf_slice(tmp_path):
    """Fit the score model on 80 training answers (6 questions) with the script's own code, then
    grade 60 unseen_answers rows of those questions through the real grader path."""
    fit = _fit_module()
    from grader.agreement.metrics import pearson
    from grader.rubric.io import bank_from_csv

    rows = fit.read_rows(SAF)
    bank = {r.id: r for r in bank_from_csv(SAF, bank="saf")}
    questions = ["2-2-dll", "4-2-lm-v1-0", "6-2-ipp", "8-2-mm", "10-2-tc", "12-3-pe"]
    train = [r for r in rows if r["split"] == "training" and r["rubric_id"] in questions][::5][:80]
    test = [r for r in rows if r["split"] == "unseen_answers" and r["rubric_id"] in questions][:60]
    cache = fit.EmbeddingCache(tmp_path)
    fit.compute(train + test, {q: bank[q] for q in questions}, cache, baseline=False)
    feats = ("mean_best", "lexical_recall")
    y = np.array([r["y"] for r in train])
    model = fit.fit_model(fit.matrix(train, feats), y, feats, 1.0)
    level_intercept, level_slope, _ = fit.fit_level_map(train, fit.predict(model, fit.matrix(train, feats)))
    calibration = fit.calibration_from(model, "test slice", level_intercept, level_slope)
    grader = Grader(Settings(backend="local", use_cache=False), backend=LocalJudge(calibration=calibration))
    pred = []
    for r in test:
        res = grader.grade(bank[r["rubric_id"]], r["answer"])
        pred.append(res.score / res.max_score)
    human = [r["y"] for r in test]
    assert pearson(fit.predict(model, fit.matrix(test, feats)), human) > 0.3
    assert pearson(pred, human) > 0.3


def test_feedback_follows_the_levels_awarded_after_evidence_checks():
    """An attack sentence may be the closest passage, but it earns nothing: the strengths must not
    praise it and the gaps must list it."""
    from pathlib import Path

    from grader.grading import Grader
    from grader.settings import Settings

    answer = (
        Path(__file__).resolve().parents[1] / "examples" / "answers" / "vid-05-temporal-consistency.injection.txt"
    ).read_text()
    result = Grader(Settings(backend="local")).grade("vid-05", answer)
    full = {c.text.rstrip(".") for c in result.criteria if c.awarded.value == "full"}
    not_full = [c for c in result.criteria if c.awarded.value != "full"]
    assert any(c.claimed != c.awarded for c in result.criteria)  # the checks did remove credit
    assert len(result.strengths) == len(full)
    assert len(result.gaps) == len(not_full)
    assert f"fully covers {len(full)} of {len(result.criteria)}" in result.summary
