"""Configuration, resolved once into a frozen object.

Precedence: CLI flag (keyword arguments) > environment > config file > default.

Environment: ``OPENAI_API_KEY``, ``OPENAI_BASE_URL`` and every field as ``GRADER_<FIELD>``
(``GRADER_MODEL``, ``GRADER_BACKEND``, ``GRADER_CACHE`` …). Config file: TOML at ``$GRADER_CONFIG``
or ``<user config dir>/grader/config.toml``, keys named like the fields.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Literal

from platformdirs import user_config_dir, user_data_dir
from pydantic import AliasChoices, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict, TomlConfigSettingsSource

__all__ = ["Settings", "DEFAULT_MODEL", "config_path", "default_store_path"]

DEFAULT_MODEL = "gpt-4o-mini"


def config_path() -> Path:
    env = os.environ.get("GRADER_CONFIG")
    return Path(env) if env else Path(user_config_dir("grader")) / "config.toml"


def default_store_path() -> Path:
    return Path(user_data_dir("grader")) / "grader.sqlite3"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="GRADER_", frozen=True, populate_by_name=True, extra="forbid")

    api_key: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("api_key", "OPENAI_API_KEY", "GRADER_API_KEY")
    )
    base_url: str | None = Field(
        default=None, validation_alias=AliasChoices("base_url", "OPENAI_BASE_URL", "GRADER_BASE_URL")
    )
    base_urls: tuple[str, ...] = Field(
        default=(),
        description="replicas of one model (several --base-url, or a list as base_url); base_url is the first",
    )
    endpoint_down_after: int = Field(
        default=3, ge=1, description="consecutive transport failures that drain an endpoint"
    )
    endpoint_retry_after: float = Field(
        default=30.0, ge=0, description="seconds before a drained endpoint is tried again"
    )
    model: str = DEFAULT_MODEL
    backend: Literal["auto", "llm", "local"] = "auto"
    temperature: float = Field(default=0.0, ge=0, le=2)
    seed: int | None = None
    timeout: float = Field(default=60.0, gt=0, description="seconds per HTTP request")
    max_retries: int = Field(default=4, ge=0, le=10, description="transport retries per request")
    max_reasks: int = Field(default=2, ge=0, le=5, description="re-asks after an invalid verdict")
    max_tokens: int = Field(
        default=1500, ge=100, description="sent as max_tokens, or max_completion_tokens to a reasoning model"
    )
    reasoning_effort: Literal["minimal", "low", "medium", "high"] | None = Field(
        default=None, description="sent to reasoning models (o-series, gpt-5) when set; unset: the server's default"
    )
    retry_max_wait: float = Field(default=60.0, gt=0, description="cap on one backoff / Retry-After wait")
    second_opinion: bool = Field(
        default=True, description="the embedded judge checks every LLM grade (grader.second_opinion)"
    )
    min_words: int = Field(default=5, ge=0, description="answers with fewer words are graded 0 without a call")
    max_answer_chars: int = Field(default=20000, ge=100)
    rubrics: Path | None = None
    store: Path | None = Field(default=None, validation_alias=AliasChoices("store", "GRADER_CACHE", "GRADER_STORE"))
    use_cache: bool = True
    concurrency: int = Field(default=8, ge=1, le=512)
    examples: int = Field(
        default=3,
        ge=0,
        le=20,
        description="graded examples per question in the LLM judge's prompt (0: none)",
    )
    examples_pick: Literal["spread", "nearest"] = Field(
        default="spread",
        description="which examples the LLM prompt shows: the same for every answer to a question, spread over "
        "the human grades (the prompt prefix stays cacheable), or the ones nearest each answer",
    )
    prices: dict[str, tuple[float, float] | tuple[float, float, float]] = Field(
        default_factory=dict,
        description="model -> (USD per 1M input tokens, per 1M output tokens[, per 1M cached input tokens])",
    )

    @model_validator(mode="before")
    @classmethod
    def _base_url_list(cls, data: object) -> object:
        """``base_url`` given as a list (config file, several ``--base-url``): the replicas, the first
        of them as ``base_url`` (so a single URL works everywhere, and the cache key names the first)."""
        if isinstance(data, dict):
            for name in ("base_url", "OPENAI_BASE_URL", "GRADER_BASE_URL"):
                value = data.get(name)
                if isinstance(value, (list, tuple)):
                    urls = [str(u) for u in value if u]
                    data = {**data, name: urls[0] if urls else None}
                    if len(urls) > 1:
                        data["base_urls"] = tuple(urls)
        return data

    @field_validator("base_url")
    @classmethod
    def _empty_is_none(cls, v: str | None) -> str | None:
        return v or None

    @property
    def endpoints(self) -> list[str | None]:
        """The servers to spread requests over: the replicas, or the one ``base_url`` (None: OpenAI)."""
        return list(self.base_urls) if len(self.base_urls) > 1 else [self.base_url]

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources = [init_settings, env_settings]
        path = config_path()
        if path.is_file():
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=path))
        return tuple(sources)

    @property
    def llm_configured(self) -> bool:
        return bool(self.api_key and self.api_key.get_secret_value()) or bool(self.base_url)

    @property
    def effective_backend(self) -> Literal["llm", "local"]:
        if self.backend == "auto":
            return "llm" if self.llm_configured else "local"
        return self.backend

    @property
    def store_path(self) -> Path:
        return self.store or default_store_path()

    def grading_key(self) -> str:
        """Hash of every setting that changes a grade (part of the cache key)."""
        backend = self.effective_backend
        relevant: dict[str, object] = {"backend": backend}
        if backend == "llm":
            relevant.update(
                model=self.model,
                base_url=self.base_url or "",
                temperature=self.temperature,
                seed=self.seed,
                max_tokens=self.max_tokens,
            )
            if self.reasoning_effort is not None:  # only when set, so that existing cache keys hold
                relevant["reasoning_effort"] = self.reasoning_effort
            if not self.second_opinion:  # only when off, so that existing cache keys hold
                relevant["second_opinion"] = False
        relevant["min_words"] = self.min_words
        return hashlib.sha256(json.dumps(relevant, sort_keys=True).encode()).hexdigest()[:16]
