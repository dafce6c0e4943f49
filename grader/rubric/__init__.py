"""Rubrics: the model (:mod:`.model`), building criteria from a hint or a reference answer
(:mod:`.build`), CSV banks and YAML files (:mod:`.io`) and LLM-assisted drafting (:mod:`.llm`,
imported on demand: it needs the LLM judge)."""

from grader.rubric.model import SECTIONS, Criterion, Rubric, RubricBank, default_bank, load_bank, load_rubric

__all__ = ["Criterion", "Rubric", "RubricBank", "load_rubric", "load_bank", "default_bank", "SECTIONS"]
