"""Labels in ``grader calibrate`` with graded examples, learned from the examples (never from the rows
being reported): a label model, with score → label thresholds as its fallback, and the nearest
examples' plain label vote (a baseline).

A dataset's labels need not sit where fixed thresholds put them: in SAF, *Correct* means full marks and
*Incorrect* zero, so everything in between — often 0.75–0.9 — is *Partially correct*. When the graded
examples carry a human label (an examples file's ``label`` column, or the calibration rows held out
as examples):

1. every labelled example is graded by the same grader with the same kind of examples — the other
   examples of its question — out of fold (:data:`FOLDS` folds, each question's examples dealt
   round-robin after a seeded shuffle: :meth:`grader.examples.ExampleSet.folds`), and its nearest
   examples' label shares are taken from the same other examples;
2. the **label model** (:mod:`grader.examples._label_model`: a multinomial logistic regression on the
   label shares and the score) is fitted on those out-of-fold grades and shares against the examples'
   labels, and labels the compared rows (:func:`predict_labels`);
3. :func:`grader.agreement.measure.fit_thresholds` picks the two thresholds that maximise **macro-F1**
   (then accuracy) of the out-of-fold grades: used where the model cannot be (a row whose question
   has no labelled example; too few examples of a second label for the model).

With too few labelled examples (:data:`MIN_LABELLED`, or a single label) the fixed thresholds stay.
The nearest-neighbour baseline gets its thresholds the same way (leave one out: its score needs no
grading), and :func:`nearest_neighbours` also gives the plain label vote of the ``k`` nearest examples.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from grader.agreement.io import LABELS, CalibrationData, CalibrationRow, GradedScores, canonical_label
from grader.examples._index import ExampleSet
from grader.examples._label_model import DESCRIPTION, LabelModel, fit_label_model, label_shares
from grader.examples._model import GradedExample

__all__ = [
    "FOLDS",
    "MIN_LABELLED",
    "LabelFit",
    "labelled",
    "fit_from_examples",
    "predict_labels",
    "nearest_neighbours",
    "nearest_fit",
]

#: Out-of-fold grading of the examples: each is graded with the others of its question but ~1/FOLDS.
FOLDS = 10
#: Fewer labelled examples than this: keep the fixed thresholds (too little to fit two cut points on).
MIN_LABELLED = 20

Grade = Callable[[Any, CalibrationData, Any, str], GradedScores]


@dataclass(frozen=True)
class LabelFit:
    """Thresholds fitted on the graded examples (``None``: keep the fixed ones, ``why`` says why) and
    the sentence the report uses for where they came from."""

    thresholds: Any | None  # grader.agreement.measure.Thresholds
    source: str = ""
    why: str = ""
    #: the label model (labels from the nearest examples' label shares and the score), when it could be fitted
    model: LabelModel | None = None
    model_source: str = ""


def labelled(examples: Sequence[GradedExample]) -> list[tuple[GradedExample, str]]:
    """The examples with a human grade and a label calibrate knows, with the label in its canonical form."""
    out = []
    for e in examples:
        label = canonical_label(e.label) if e.label else None
        if label is not None and e.fraction is not None:
            out.append((e, label))
    return out


def _fit(scores: Sequence[float | None], labels: Sequence[str], what: str) -> LabelFit:
    from grader.agreement.measure import fit_thresholds

    pairs = [(s, lab) for s, lab in zip(scores, labels) if s is not None]
    if len(pairs) < MIN_LABELLED or len({lab for _, lab in pairs}) < 2:
        n = len(pairs) if len(pairs) >= MIN_LABELLED else len(labels)
        why = f"{n} labelled graded example(s) with {len(set(labels))} distinct label(s)"
        return LabelFit(None, why=f"{why}: too few to fit label thresholds on; the fixed ones are used")
    t = fit_thresholds([s for s, _ in pairs], [lab for _, lab in pairs])
    return LabelFit(t, source=f"{what} of {len(pairs)} labelled graded examples (maximising macro-F1)")


def _as_data(items: Sequence[tuple[GradedExample, str]]) -> CalibrationData:
    rows = []
    for i, (e, label) in enumerate(items):
        scale = e.max_score if e.score is not None and e.max_score else 1.0
        score = e.score if e.score is not None and e.max_score else float(e.fraction or 0.0)
        rows.append(CalibrationRow(f"example-{i}", 0, e.question_id, e.answer, score, scale, label))
    return CalibrationData("graded examples", rows, [], has_labels=True)


def fit_from_examples(
    plain: Any, examples: ExampleSet, bank: Any, grade: Grade, seed: int, embedder: Any = None, rule: Any = None
) -> LabelFit:
    """Thresholds for the grader's labels and the label model, both fitted on its out-of-fold grades of
    the labelled examples (see the module docstring; the model's label shares of a held-out example come
    from the other examples of its fold). ``plain`` is the grader without examples (its settings and store
    are used); ``grade(grader, data, bank, label)`` grades rows as the calibration does; ``embedder`` and
    ``rule`` (``k``, ``temperature``) are the label shares' (default: the embedded judge's)."""
    from grader.grading import Grader

    embedder, rule = _defaults(embedder, rule)
    everything = [e for q in examples.question_ids for e in examples.for_question(q)]
    wanted = labelled(everything)
    if len(wanted) < MIN_LABELLED:
        return _fit([None] * len(wanted), [lab for _, lab in wanted], "")
    label_of = {id(e): lab for e, lab in wanted}
    classes = sorted(set(label_of.values()), key=LABELS.index)
    vec_of = {}
    for q in examples.question_ids:  # every example's answer vector (computed once, shared with the folds)
        vec_of.update({id(e): v for e, v in zip(examples.for_question(q), examples.vectors(q, embedder))})
    scores: list[float | None] = []
    labels: list[str] = []
    shares: list[np.ndarray | None] = []
    for held, rest in examples.folds(FOLDS, seed):
        items = [(e, label_of[id(e)]) for e in held if id(e) in label_of]
        if not items:
            continue
        grader = Grader(plain.settings, bank=bank, store=plain.store, examples=rest)
        graded = grade(grader, _as_data(items), bank, "grading the examples out of fold (labels)")
        scores += graded.scores
        labels += [lab for _, lab in items]
        for e, _ in items:
            got = label_shares(rest, embedder, e.question_id, vec_of[id(e)], classes, rule.k, rule.temperature)
            shares.append(None if got is None else got[0])
    fit = _fit(scores, labels, f"the grader's out-of-fold ({FOLDS} folds) grades")
    keep = [(sh, s, lab) for sh, s, lab in zip(shares, scores, labels) if sh is not None and s is not None]
    if fit.thresholds is None or len({lab for *_, lab in keep}) < 2 or len(keep) < MIN_LABELLED:
        return fit
    x = np.array([[*sh, s] for sh, s, _ in keep])
    model = fit_label_model(x, [lab for *_, lab in keep])
    source = f"{DESCRIPTION}, fitted on the out-of-fold ({FOLDS} folds) grades of {len(keep)} labelled graded examples"
    return LabelFit(fit.thresholds, fit.source, fit.why, model=model, model_source=source)


def _defaults(embedder: Any, rule: Any) -> tuple[Any, Any]:
    if embedder is None:
        from grader.judges.local.embedding import get_embedder

        embedder = get_embedder()
    if rule is None:
        from grader.examples._blend import DEFAULT_RULE

        rule = DEFAULT_RULE
    return embedder, rule


def predict_labels(
    fit: LabelFit,
    examples: ExampleSet,
    answers: Sequence[tuple[str | None, str, float | None]],
    embedder: Any = None,
    rule: Any = None,
) -> list[str | None]:
    """The labels of ``(rubric id, answer, grader score)`` rows by ``fit``'s label model; a row whose
    question has no labelled example gets its score's label by the fitted thresholds; None without a score."""
    from grader.agreement.measure import labels_from_scores

    assert fit.model is not None and fit.thresholds is not None
    embedder, rule = _defaults(embedder, rule)
    out: list[str | None] = [None] * len(answers)
    todo = [i for i, (_, _, s) in enumerate(answers) if s is not None]
    vecs = embedder.encode([answers[i][1] for i in todo]) if todo else []
    for i, vec in zip(todo, vecs):
        rid, _, score = answers[i]
        assert score is not None
        sh = label_shares(examples, embedder, rid, vec, fit.model.classes, rule.k, rule.temperature) if rid else None
        if sh is None:
            out[i] = labels_from_scores([score], fit.thresholds)[0]
        else:
            out[i] = fit.model.predict(np.array([[*sh[0], score]]))[0]
    return out


def nearest_neighbours(
    examples: ExampleSet, embedder: Any, answers: Sequence[tuple[str | None, str]], k: int, leave_one_out: bool = False
) -> tuple[list[float | None], list[str | None]]:
    """For each ``(rubric id, answer)``: the unweighted mean human grade (0–1) of the ``k`` examples of
    its question whose answers are most similar (MiniLM cosine), and their majority label (ties: the
    label of the most similar example among the tied ones; None when they have no labels). With
    ``leave_one_out`` the answers are the examples themselves (in :attr:`ExampleSet.question_ids`
    order) and each leaves itself out."""
    vecs = embedder.encode([a for _, a in answers]) if answers else np.zeros((0, 1))
    scores: list[float | None] = []
    votes: list[str | None] = []
    seen: dict[str, int] = {}
    for (rid, _), vec in zip(answers, vecs):
        exs = examples.for_question(rid) if rid else []
        if not exs or rid is None:
            scores.append(None)
            votes.append(None)
            continue
        sims = examples.vectors(rid, embedder) @ vec
        if leave_one_out:
            own = seen.get(rid, 0)
            seen[rid] = own + 1
            sims[own] = -np.inf
        top = [int(j) for j in np.argsort(-sims, kind="stable")[:k] if np.isfinite(sims[j])]
        grades = [g for j in top if (g := exs[j].fraction) is not None]
        scores.append(float(np.mean(grades)) if grades else None)
        labels = [lab for j in top if (lab := canonical_label(exs[j].label) if exs[j].label else None)]
        counts = Counter(labels)
        best = max(counts.values(), default=0)
        votes.append(next((lab for lab in labels if counts[lab] == best), None))
    return scores, votes


def nearest_fit(examples: ExampleSet, embedder: Any, k: int) -> LabelFit:
    """Thresholds for the nearest-neighbour baseline, fitted on its leave-one-out scores of the
    labelled examples."""
    everything = [(q, e) for q in examples.question_ids for e in examples.for_question(q)]
    scores, _ = nearest_neighbours(examples, embedder, [(q, e.answer) for q, e in everything], k, leave_one_out=True)
    pairs = [(s, canonical_label(e.label) if e.label else None) for s, (_, e) in zip(scores, everything)]
    keep = [(s, lab) for s, lab in pairs if lab is not None]
    return _fit([s for s, _ in keep], [lab for _, lab in keep], "the baseline's leave-one-out scores")
