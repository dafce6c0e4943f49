"""How the test server (:mod:`grader.testing.devserver`) reads a chat request, and the reply shape every
module of the server uses (standard library only).

What it reads from a request: the answer is the text strictly between
:data:`grader.prompts.OPEN_TAG` and :data:`~grader.prompts.CLOSE_TAG` (stripped); the criterion ids
come from ``response_format``'s schema (``…criterion_id.enum``), else the ``Valid criterion ids:``
line of the user message, else a JSON schema embedded in the system message; the criterion texts
from the user-message lines ``- <id> — weight <w> — <text>``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

# Same values as grader.prompts.OPEN_TAG / CLOSE_TAG (a test checks it): not imported from there,
# because grader.prompts pulls in jinja2 and pydantic and this module must stay standard-library only.
OPEN_TAG = "<<<CANDIDATE_ANSWER>>>"
CLOSE_TAG = "<<<END_CANDIDATE_ANSWER>>>"

_CRITERION_LINE = re.compile(r"^\s*-\s+([a-z0-9][a-z0-9-]*)\s+—\s+weight\s+[0-9.]+\s+—\s+(.+?)\s*$", re.M)
_VALID_IDS = re.compile(r"^Valid criterion ids:\s*(.+?)\s*$", re.M)


def _error(message: str, type_: str, code: Any = None, param: Any = None) -> dict[str, Any]:
    return {"error": {"message": message, "type": type_, "param": param, "code": code}}


@dataclass
class _Reply:
    """What the handler does for one request."""

    status: int = 200
    body: Any = None  # JSON-serialisable
    headers: dict[str, str] = field(default_factory=dict)
    action: str = "send"  # send | reset
    delay: float = 0.0  # extra sleep before acting (the timeout fault)
    raw: bytes | None = None  # send these bytes as the body instead of ``body`` as JSON
    content_type: str = "application/json"


class _Request:
    """What the server understood of one chat-completion request."""

    def __init__(self, payload: dict[str, Any]) -> None:
        self.payload = payload
        self.model = str(payload.get("model") or "devserver")
        messages = payload.get("messages") or []
        self.messages = [m for m in messages if isinstance(m, dict)]
        self.texts = [self._text(m.get("content")) for m in self.messages]
        rf = payload.get("response_format")
        self.response_format = rf if isinstance(rf, dict) else None
        self.format_type = self.response_format.get("type") if self.response_format else None
        self.format_name = (
            "json_object_schema"
            if self.format_type == "json_object" and (self.response_format or {}).get("schema")
            else self.format_type or "none"
        )
        self.answer = self._find_answer()
        self.criteria, self.criteria_source = self._find_criteria()

    @staticmethod
    def _text(content: Any) -> str:
        if isinstance(content, str):
            return content
        if isinstance(content, list):  # content parts
            return "\n".join(p.get("text", "") for p in content if isinstance(p, dict))
        return ""

    def _role_texts(self, *roles: str) -> list[str]:
        return [t for m, t in zip(self.messages, self.texts) if m.get("role") in roles]

    def _find_answer(self) -> str | None:
        for text in [*self._role_texts("user"), *self._role_texts("system", "developer")]:
            start = text.find(OPEN_TAG)
            if start < 0:
                continue
            end = text.find(CLOSE_TAG, start + len(OPEN_TAG))
            if end >= 0:
                return text[start + len(OPEN_TAG) : end].strip()
        return None

    def _schema_ids(self, schema: Any) -> list[str] | None:
        try:
            ids = schema["properties"]["criteria"]["items"]["properties"]["criterion_id"]["enum"]
        except (KeyError, TypeError):
            return None
        return [str(i) for i in ids] if isinstance(ids, list) and ids else None

    def _find_criteria(self) -> tuple[list[tuple[str, str]], str]:
        ids: list[str] | None = None
        source = ""
        rf = self.response_format or {}
        schema = (rf.get("json_schema") or {}).get("schema") if isinstance(rf.get("json_schema"), dict) else None
        ids = self._schema_ids(schema) or self._schema_ids(rf.get("schema"))
        if ids:
            source = "response_format"
        if not ids:
            for text in self._role_texts("user"):
                m = _VALID_IDS.search(text)
                if m:
                    ids = [i.strip() for i in m.group(1).split(",") if i.strip()]
                    source = "user_prompt"
                    break
        if not ids:
            for text in self._role_texts("system", "developer"):
                ids = self._embedded_schema_ids(text)
                if ids:
                    source = "system_schema"
                    break
        texts: dict[str, str] = {}
        for text in self._role_texts("user"):
            for m in _CRITERION_LINE.finditer(text):
                texts.setdefault(m.group(1), m.group(2))
        if not ids:
            ids, source = list(texts), "criterion_lines" if texts else ""
        return [(i, texts.get(i, i.replace("-", " "))) for i in ids], source

    def _embedded_schema_ids(self, text: str) -> list[str] | None:
        decoder = json.JSONDecoder()
        pos = text.find("{")
        while pos >= 0:
            try:
                obj, _ = decoder.raw_decode(text, pos)
            except ValueError:
                obj = None
            ids = self._schema_ids(obj) if isinstance(obj, dict) else None
            if ids:
                return ids
            pos = text.find("{", pos + 1)
        return None

    @property
    def schema_in_prompt(self) -> bool:
        """Whether a system message embeds the verdict's JSON schema (JSON mode needs it there)."""
        return any('"criterion_id"' in t for t in self._role_texts("system", "developer"))

    @property
    def prompt_chars(self) -> int:
        return sum(len(t) for t in self.texts)
