"""Secrets and terminals: error texts without credentials, and text safe to print on a terminal.

Part of :mod:`grader.text` (which re-exports every name here): :func:`redact` replaces the configured
API key and anything shaped like a bearer token or an ``sk-…`` key with :data:`REDACTED` (applied
where a transport error is built and wherever an error is recorded or shown); :func:`printable`
shows C0/C1 control characters as visible escapes so candidate text cannot drive the terminal.

Standard library only.
"""

from __future__ import annotations

import re

# -- secrets and terminals ------------------------------------------------------------------------

REDACTED = "[REDACTED]"
#: What a credential looks like even when it is not the configured key: ``Bearer <token>`` (the
#: scheme kept), ``sk-…`` / ``sk_…`` keys (OpenAI's and others'), ``api_key=…`` / ``"api-key": "…"``.
_SECRET_SHAPES = re.compile(
    r"(?i)(?<=bearer )[^\s'\",;]{6,}"
    r"|\bsk[-_][A-Za-z0-9_\-]{8,}"
    r"|(?<=api[_-]key)(?P<sep>[\"']?\s*[:=]\s*[\"']?)[^\s'\",;}]{6,}"
)


def _shape(match: re.Match[str]) -> str:
    return (match.group("sep") or "") + REDACTED


def redact(text: str, *secrets: str | None) -> str:
    """``text`` with each of ``secrets`` (the configured API key; empty and very short ones are
    ignored) and anything shaped like a bearer token or an ``sk-…`` key replaced by
    :data:`REDACTED`. Used on every error text before it is stored or shown."""
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, REDACTED)
    return _SECRET_SHAPES.sub(_shape, text)


#: C0 controls except TAB and LF (ESC and CR included), DEL, and C1 controls (CSI U+009B among them).
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _escaped(match: re.Match[str]) -> str:
    return f"\\x{ord(match.group()):02x}"


def printable(text: str, *, newlines: bool = True) -> str:
    """``text`` safe to print on a terminal: C0/C1 control characters (ESC, so every escape
    sequence, and carriage return included) are shown as visible ``\\x1b``-style escapes, so an id
    or an answer cannot move the cursor, recolour, retitle or clear the terminal. TAB is kept, and
    LF unless ``newlines`` is False (then it is shown as ``\\n``)."""
    text = _CONTROL.sub(_escaped, text)
    return text if newlines else text.replace("\n", "\\n")
