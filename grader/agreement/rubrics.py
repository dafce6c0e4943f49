"""The rubrics of a calibration set: :func:`saf_bank` builds one rubric per question of the SAF dataset
(criteria = the claims of the reference answer, by the same builder as
:func:`grader.rubric.io.bank_from_csv`, so ``grader calibrate`` grades SAF with the rubrics the embedded
grader's calibration was fitted on); :func:`rubric_for` finds a dataset question's rubric in a bank, and
:func:`question_problems` lists the questions whose rubric could not be built (their rows are left out)."""

from __future__ import annotations

from pathlib import Path

from grader.agreement.io import CalibrationData, _need, _number, _open_csv, rubric_id
from grader.errors import InputError, QuestionProblemError, RubricError
from grader.rubric import Rubric, RubricBank
from grader.rubric.build import rubric_from_reference, rubric_warnings

__all__ = ["question_problems", "rubric_for", "saf_bank"]


def saf_bank(csv_path: str | Path, split: str | None = None, languages: tuple[str, ...] = ("en",)) -> RubricBank:
    """One ``kind="reference"`` rubric per SAF ``question_id`` (bank ``saf``, section ``SAF``): the
    criteria are the reference answer's claims, split by :func:`grader.rubric.build.rubric_from_reference`
    — the same rubrics ``scripts/fit_criterion_model.py`` fits the embedded judge's ``reference``
    profile on (it calls this function), and the same as :func:`grader.rubric.io.bank_from_csv` builds
    from the CSV; ``max_score`` comes from the CSV.

    A question whose rubric cannot be built (an empty question or reference answer, a bad max score)
    is one of the bank's ``problems``, with its row and reason, and the others build; thin rubrics (a
    one-word reference answer, a one-word question) carry ``warnings``. Only a file with no question
    that builds is an error."""
    src = str(csv_path)
    header, records = _open_csv(Path(csv_path))
    at = {h: i for i, h in enumerate(header)}
    for name in ("question_id", "question", "reference_answer", "max_score"):
        _need(header, name, "", src, hint="a SAF-style CSV has question_id, question, reference_answer, max_score")
    rubrics: dict[str, Rubric] = {}
    problems: dict[str, str] = {}
    warnings: dict[str, list[str]] = {}
    raw_of: dict[str, str] = {}  # rubric id → the question id that took it
    for line, rec in records:
        if split is not None and ("split" not in at or rec[at["split"]] != split):
            continue
        qid = rec[at["question_id"]].strip()
        rid = rubric_id(qid)
        if not qid or raw_of.get(rid) == qid:
            continue
        where = f"row at line {line}: question {qid!r}"
        if rid in raw_of:  # "1.6" and "1-6": two questions, one rubric id
            rubrics.pop(rid, None)
            warnings.pop(rid, None)
            problems.setdefault(rid, f"row at line {line}: ids {raw_of[rid]!r} and {qid!r} both become {rid!r}")
            continue
        raw_of[rid] = qid
        question = rec[at["question"]].strip()
        try:
            if not question:
                raise ValueError("the question is empty")
            rubric = rubric_from_reference(
                rec[at["reference_answer"]],
                id=rid,
                question=question,
                section="SAF",
                bank="saf",
                max_score=_number(rec[at["max_score"]], "max score", src, line) or 1.0,
                languages=languages,
            )
        except RubricError as e:  # the rubric does not validate: name the field
            problems[rid] = f"{where}: " + (f"{e.field}: {e.problem}" if e.field else e.problem)
        except InputError as e:  # a max score that is not a number
            problems[rid] = f"{where}: {e.message.removeprefix(f'{src}:{line}: ')}"
        except ValueError as e:  # no reference answer to build criteria from
            problems[rid] = f"{where}: {e}"
        else:
            rubrics[rid] = rubric
            notes = rubric_warnings(rubric)
            if notes:
                warnings[rid] = [f"{where}: {n}" for n in notes]
    if not rubrics:
        if problems:
            raise RubricError(
                src,
                "",
                f"no question builds ({len(problems)} with a problem); first: {next(iter(problems.values()))}",
                hint="fix the questions or reference answers in the CSV",
            )
        raise InputError("no questions found" + (f" in split {split!r}" if split else ""), source=src)
    return RubricBank(list(rubrics.values()), source=src, problems=problems, warnings=warnings)


def question_problems(bank: RubricBank, data: CalibrationData) -> dict[str, str]:
    """The data's question ids whose rubric the bank could not build, with the reason (one line naming
    the bank's row); their rows are left out of the comparison."""
    out = {}
    for q in sorted({r.question_id for r in data.rows}):
        try:
            rubric_for(bank, q)
        except QuestionProblemError as e:
            out[q] = e.message
    return out


def rubric_for(bank: RubricBank, question_id: str) -> Rubric:
    """The bank's rubric for a dataset question id: exact id, else its slug, else the bank's lookup."""
    if question_id in bank:
        return bank.get(question_id)
    slug = rubric_id(question_id)
    return bank.get(slug if slug in bank else question_id)
