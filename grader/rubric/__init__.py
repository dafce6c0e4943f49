"""Rubrics: the model (:mod:`.model`), building criteria from a hint or a reference answer
(:mod:`.build`), CSV question banks and YAML files (:mod:`.io`), banks of rubrics (:mod:`.bank`) and
LLM-assisted drafting (:mod:`.llm`, imported on demand: it needs the LLM judge).

Imports run one way: ``model`` ← ``build`` ← ``io`` ← ``bank`` (``model`` imports none of the others).
"""

from grader.rubric.bank import RubricBank, default_bank, load_bank
from grader.rubric.model import SECTIONS, Criterion, Rubric, load_rubric

__all__ = ["Criterion", "Rubric", "RubricBank", "load_rubric", "load_bank", "default_bank", "SECTIONS"]
