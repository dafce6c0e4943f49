"""Estimate the tokens and cost of a batch without calling anything (``grader batch --dry-run``).

Method (stated in the output): prompt tokens ≈ characters of the rendered messages / 4 (the usual
rule of thumb for English with OpenAI tokenizers); completion tokens ≈ 150 + 60 per criterion
(a verdict with a short rationale and quote per criterion). Rows already in the cache cost 0.

With the embedded (offline) grader nothing is sent anywhere: the estimate says so (backend ``local``,
the embedded model's name, 0 tokens, cost 0) instead of quoting an LLM's tokens and prices for a
grading that uses none. It still counts the rows, the problems and the rows already cached.

Rows that would fail are counted in ``rows_with_problems`` and summarised in ``problems``, one entry
per reason (a bad row, an unknown or ambiguous question, each question whose rubric could not be
built, an answer too long) with its row count, its first line numbers and the first row's message.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from grader.batch.io import Columns, read_rows
from grader.errors import AmbiguousQuestionError, QuestionProblemError, UnknownQuestionError, Usage
from grader.examples import ExampleSet, GradedExample, choose_for_prompt, examples_hash
from grader.grading import cache_key, make_backend
from grader.prices import cost_of, price_for
from grader.prompts import load_prompts
from grader.rubric import Rubric, RubricBank
from grader.settings import Settings
from grader.text import word_count

if TYPE_CHECKING:
    from grader.store import Store

__all__ = ["estimate_batch", "estimate_row_tokens"]

CHARS_PER_TOKEN = 4
#: How many line numbers each reason lists in ``problems``.
FIRST_LINES = 5
COMPLETION_BASE = 150
COMPLETION_PER_CRITERION = 60


def estimate_row_tokens(messages: list[dict[str, str]], n_criteria: int) -> tuple[int, int]:
    chars = sum(len(m["content"]) for m in messages)
    return chars // CHARS_PER_TOKEN + 8 * len(messages), COMPLETION_BASE + COMPLETION_PER_CRITERION * n_criteria


def estimate_batch(
    source: str | Path,
    columns: Columns,
    settings: Settings,
    bank: RubricBank,
    store: Store | None = None,
    examples: Sequence[GradedExample] = (),
) -> dict[str, Any]:
    prompts = load_prompts()
    llm = settings.effective_backend == "llm"
    # the cache key names the judge that would grade: its version and model (as Grader.key_for does)
    judge = None if llm else make_backend(settings, prompts)
    base_version, model = (prompts.version, settings.model) if judge is None else (judge.version, judge.model)
    example_set = ExampleSet(examples)
    if judge is not None and example_set:
        judge.set_examples(example_set)
    shown: dict[str, tuple[list[GradedExample], str]] = {}  # rubric id → (prompt examples, prompt version)

    def prompt_examples(rubric: Rubric) -> tuple[list[GradedExample], str]:
        """The examples an LLM prompt would show for this question and the version they give the grades
        (as the judges and Grader.version_for do), once per question."""
        if rubric.id not in shown:
            if judge is not None:
                chosen, key = [], judge.examples_key(rubric)
            elif example_set and settings.examples >= 1:
                # with the ``nearest`` pick each answer gets its own examples: the spread pick (as many
                # examples of the same question) stands in for their size in the token estimate
                chosen = choose_for_prompt(example_set.for_question(rubric.id), settings.examples)
                if settings.examples_pick == "nearest":
                    from grader.examples._retrieve import nearest_key

                    key = nearest_key(example_set, rubric.id, settings.examples)
                else:
                    key = examples_hash(chosen)
            else:
                chosen, key = [], ""
            shown[rubric.id] = (chosen, f"{base_version}+ex.{key}" if key else base_version)
        return shown[rubric.id]

    rows = bad = cached = 0
    usage = Usage()
    problems: dict[str, dict[str, Any]] = {}

    def fail(kind: str, line: int, reason: str, key: str = "") -> None:
        nonlocal bad
        bad += 1
        entry = problems.setdefault(kind + key, {"reason": kind, "rows": 0, "first_lines": [], "example": reason})
        entry["rows"] += 1
        if len(entry["first_lines"]) < FIRST_LINES:
            entry["first_lines"].append(line)

    for row in read_rows(source, columns):
        rows += 1
        if row.error:
            fail("bad row", row.line, row.error)
            continue
        try:
            rubric = bank.get(row.question_id)
        except AmbiguousQuestionError as e:
            fail("ambiguous question", row.line, e.message)
            continue
        except UnknownQuestionError as e:
            fail("unknown question", row.line, e.message)
            continue
        except QuestionProblemError as e:
            fail("a question whose rubric could not be built", row.line, e.message, key=e.message)
            continue
        if len(row.answer) > settings.max_answer_chars:
            fail(
                "answer too long",
                row.line,
                f"the answer is {len(row.answer)} characters, over the limit of {settings.max_answer_chars}",
            )
            continue
        chosen, version = prompt_examples(rubric)
        if store is not None and store.has_result(cache_key(settings, version, rubric, row.answer, model)):
            cached += 1
            continue
        if word_count(row.answer) < settings.min_words or not llm:
            continue
        messages = prompts.messages(rubric, row.answer, examples=chosen)
        p, c = estimate_row_tokens(messages, len(rubric.criteria))
        usage = usage.add(Usage(p, c))
    if not llm:
        return {
            "rows": rows,
            "rows_with_problems": bad,
            "rows_cached": cached,
            "problems": list(problems.values()),
            "model": model,
            "backend": "local",
            "prompt_tokens_est": 0,
            "completion_tokens_est": 0,
            "price_per_million": None,
            "cost_usd_est": 0.0,
            "method": "the embedded grader runs on this computer: no tokens, no API calls, free",
        }
    price = price_for(settings.model, settings.prices, settings.base_url)
    cost = cost_of(usage, price)
    return {
        "rows": rows,
        "rows_with_problems": bad,
        "rows_cached": cached,
        "problems": list(problems.values()),
        "model": settings.model,
        "backend": settings.effective_backend,
        "prompt_tokens_est": usage.prompt_tokens,
        "completion_tokens_est": usage.completion_tokens,
        "price_per_million": list(price) if price else None,
        "cost_usd_est": None if cost is None else round(cost, 4),
        "method": f"~{CHARS_PER_TOKEN} characters per prompt token; completion ≈ {COMPLETION_BASE} + "
        f"{COMPLETION_PER_CRITERION} per criterion; cached rows and too-short answers cost 0",
    }
