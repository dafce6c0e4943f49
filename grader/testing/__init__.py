"""Test support, never imported by the product: an OpenAI-compatible test server with fault injection
(``python -m grader.testing.devserver``) and an in-process fake judge."""
