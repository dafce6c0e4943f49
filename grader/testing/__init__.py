"""Test support, never imported by the product: an OpenAI-compatible test server with fault injection
(:mod:`grader.testing.devserver`, ``python -m grader.testing.devserver``), a real llama.cpp server
with a tiny model (:mod:`grader.testing.llama`, ``python -m grader.testing.llama``) and the
in-process :class:`~grader.testing.fake.FakeJudge` (:mod:`grader.testing.fake`)."""
