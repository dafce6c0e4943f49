"""The local practice web app (``grader serve``)."""

from grader.web.app import create_app

__all__ = ["create_app"]
