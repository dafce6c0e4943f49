"""Labels from the graded examples' labels *and* the score: a small multinomial logistic model.

Thresholding one score throws away what the nearest examples say about the label itself: in SAF a
*Correct* answer has full marks, and answers whose neighbours are nearly all *Correct* are Correct
even when the blended score, pulled towards the question's mean, lands at 0.85. So ``grader
calibrate`` with labelled graded examples predicts each row's label from

- the **label shares** of the ``k`` examples of its question nearest to the answer (MiniLM cosine),
  weighted by ``softmax(similarity / temperature)`` as the score vote is (:func:`label_shares`), and
- the grader's **score** (0–1),

by a multinomial logistic regression (:class:`LabelModel`, L2-penalised, fitted by Newton's method in
numpy, standardised inputs) fitted on the **examples only** — each graded out of fold, its shares from
the other examples of its fold (:func:`grader.examples._labels.fit_from_examples`) — never on the rows
being reported. The label is the most probable class.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from grader.agreement.io import canonical_label
from grader.examples._index import ExampleSet

__all__ = ["LabelModel", "fit_label_model", "label_shares", "DESCRIPTION"]

#: The report's sentence for the method (followed by where it was fitted).
DESCRIPTION = "a multinomial logistic model on the nearest examples' label shares and the score"


@dataclass(frozen=True)
class LabelModel:
    """``P(class | x) = softmax(((x − mean) / scale) · coef + intercept)`` over ``classes``."""

    classes: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray  # (features, classes)
    intercept: np.ndarray  # (classes,)

    def probabilities(self, x: np.ndarray) -> np.ndarray:
        z = ((np.atleast_2d(x) - self.mean) / self.scale) @ self.coef + self.intercept
        z -= z.max(axis=1, keepdims=True)
        p = np.exp(z)
        return p / p.sum(axis=1, keepdims=True)  # type: ignore[no-any-return]

    def predict(self, x: np.ndarray) -> list[str]:
        return [self.classes[int(i)] for i in self.probabilities(x).argmax(axis=1)]


def fit_label_model(x: np.ndarray, y: Sequence[str], penalty: float = 1.0, steps: int = 50) -> LabelModel:
    """Fit :class:`LabelModel` by Newton's method: mean log-loss ``+ penalty/(2n)·‖coef‖²`` (the
    intercepts are not penalised; the same objective as scikit-learn's ``C = 1/penalty``)."""
    x = np.asarray(x, dtype=np.float64)
    classes = tuple(sorted(set(y), key=_order))
    onehot = np.array([[lab == c for c in classes] for lab in y], dtype=np.float64)
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    xs = np.hstack([(x - mean) / scale, np.ones((len(x), 1))])
    d = xs.shape[1]
    k = len(classes)
    w = np.zeros((d, k))
    reg = np.full(d, penalty)
    reg[-1] = 1e-6  # the intercept: barely (keeps the Hessian invertible; classes are over-parameterised)
    for _ in range(steps):
        z = xs @ w
        z -= z.max(axis=1, keepdims=True)
        p = np.exp(z)
        p /= p.sum(axis=1, keepdims=True)
        grad = (xs.T @ (p - onehot) + reg[:, None] * w).ravel(order="F")
        hess = np.zeros((d * k, d * k))
        for a in range(k):
            for b in range(k):
                c = p[:, a] * ((a == b) - p[:, b])
                hess[a * d : (a + 1) * d, b * d : (b + 1) * d] = (xs * c[:, None]).T @ xs
        hess += np.diag(np.tile(reg, k))
        step = np.linalg.lstsq(hess, grad, rcond=None)[0]
        w -= step.reshape((d, k), order="F")
        if float(np.abs(step).max()) < 1e-8:
            break
    return LabelModel(classes, mean, scale, w[:-1], w[-1])


def _order(label: str) -> tuple[int, str]:
    from grader.agreement.io import LABELS

    return (LABELS.index(label) if label in LABELS else len(LABELS), label)


def label_shares(
    examples: ExampleSet,
    embedder: Any,
    question_id: str,
    answer_vecs: np.ndarray,
    classes: Sequence[str],
    k: int,
    temperature: float,
) -> np.ndarray | None:
    """(answers, classes) similarity-weighted shares of each class among the ``k`` labelled examples of
    the question nearest to each answer; None when the question has no labelled example."""
    exs = examples.for_question(question_id)
    idx = [i for i, e in enumerate(exs) if e.label and canonical_label(e.label) in classes]
    if not idx:
        return None
    labels = np.array([classes.index(str(canonical_label(exs[i].label))) for i in idx])
    sims = (
        np.atleast_2d(np.asarray(answer_vecs, dtype=np.float64))
        @ examples.vectors(question_id, embedder)[idx].astype(np.float64).T
    )
    out = np.zeros((len(sims), len(classes)))
    for row, s in enumerate(sims):
        order = np.argsort(-s, kind="stable")[:k]
        w = np.exp((s[order] - s[order].max()) / temperature)
        np.add.at(out[row], labels[order], w / w.sum())
    return out
