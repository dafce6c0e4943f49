"""Test support, never imported by the product: an OpenAI-compatible test server with fault injection
(:mod:`grader.testing.devserver`, ``python -m grader.testing.devserver``) and the in-process
:class:`~grader.testing.fake.FakeJudge` (:mod:`grader.testing.fake`)."""
