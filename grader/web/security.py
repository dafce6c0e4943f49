"""The web app's defences: security headers on every response, the check against forged requests,
and reading a form post under a size cap.

Part of :mod:`grader.web.app` (which re-exports the public names), kept apart so that what protects
the pages can be read in one place, away from what the pages show.

- **Headers** (:class:`_SecurityHeaders`, :class:`_App`): a strict Content-Security-Policy
  (:data:`CSP`; the results viewer's pages also load this site's own script,
  :data:`CSP_WITH_SCRIPT`), ``nosniff``, ``same-origin`` referrers and no framing, on every
  response — the 500 page and the Host check's 400 included, because the middleware wraps the
  whole Starlette stack.
- **Forged requests** (:class:`SessionTokens`): a state-changing request must come from this site
  (its ``Origin``, or failing that its ``Referer``, names the host and port the browser used) and
  carry the session's token: a random session id in an HttpOnly, SameSite=Strict cookie, and in a
  hidden form field the HMAC of that id under a key made when the server starts (compared in
  constant time).
- **Form bodies** (:func:`read_form`): the fields of a form post, or None once the body passes a
  size cap (a huge upload is cut off, not buffered).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from urllib.parse import parse_qsl, urlsplit

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["CSP", "CSP_WITH_SCRIPT", "CSRF_COOKIE", "CSRF_FIELD", "SessionTokens", "read_form"]

CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)
#: The results viewer's pages (``/results…``) also load this site's own script (keyboard shortcuts).
CSP_WITH_SCRIPT = CSP.replace("default-src 'none';", "default-src 'none'; script-src 'self';")
CSRF_COOKIE = "grader_session"
CSRF_FIELD = "csrf_token"


class _SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                path = scope.get("path", "")
                csp = CSP_WITH_SCRIPT if path == "/results" or path.startswith("/results/") else CSP
                headers += [
                    (b"content-security-policy", csp.encode()),
                    (b"x-content-type-options", b"nosniff"),
                    # same-origin, not no-referrer: with no-referrer a browser sends "Origin: null" on the
                    # page's own form posts, which the forgery check must refuse; other sites still get nothing
                    (b"referrer-policy", b"same-origin"),
                    (b"x-frame-options", b"DENY"),
                ]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


class _App(Starlette):
    """Starlette with the security headers outside everything, so that the 500 page of
    ``ServerErrorMiddleware`` and the 400 of the Host check carry them too."""

    def build_middleware_stack(self) -> ASGIApp:
        return _SecurityHeaders(super().build_middleware_stack())


class SessionTokens:
    """The session token against forged requests: a new HMAC key per server run (old forms need a
    reload), the session id from its cookie, and the check of a state-changing request."""

    def __init__(self) -> None:
        self._key = secrets.token_bytes(32)

    def token_for(self, session: str) -> str:
        """The form token of ``session``: the HMAC of the session id under this run's key."""
        return hmac.new(self._key, session.encode(), hashlib.sha256).hexdigest()

    @staticmethod
    def session_of(request: Request) -> str | None:
        """The session id of the request's cookie, or None if it has none (or not one of ours)."""
        session = request.cookies.get(CSRF_COOKIE, "")
        return session if 20 <= len(session) <= 100 and session.isascii() else None

    def forgery(self, request: Request, fields: dict[str, str]) -> str | None:
        """Why this state-changing request is refused, or None if it comes from this site's own form."""
        host = request.headers.get("host", "")
        origin = request.headers.get("origin")
        if origin is not None:
            source, what = origin, "Origin"
        else:
            source, what = request.headers.get("referer", ""), "Referer"
            if not source:
                return "the request names no Origin or Referer, so it cannot be told apart from a forged one"
        parts = urlsplit(source if source != "null" else "")
        if not host or parts.scheme != request.url.scheme or parts.netloc != host:
            return f"the request comes from another site ({what}: {source[:100]!r})"
        session, token = self.session_of(request), fields.get(CSRF_FIELD, "")
        if session is None or not hmac.compare_digest(token.encode(), self.token_for(session).encode()):
            return "the form's session token is missing or out of date (the server may have restarted)"
        return None


async def read_form(request: Request, cap: int) -> dict[str, str] | None:
    """The fields of a form post (first value of each), or None if the body is over ``cap`` bytes."""
    length = request.headers.get("content-length", "")
    if length.isascii() and length.isdigit() and int(length) > cap:
        return None
    ctype = request.headers.get("content-type", "")
    if ctype.startswith("multipart/form-data"):
        form = await request.form(max_files=0, max_fields=20, max_part_size=cap)
        return {k: v for k, v in form.multi_items()[::-1] if isinstance(v, str)}
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > cap:
            return None
    return dict(parse_qsl(body.decode("utf-8", errors="replace"), keep_blank_values=True)[::-1])
