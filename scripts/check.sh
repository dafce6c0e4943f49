#!/usr/bin/env bash
# The static checks: lint (ruff), formatting (ruff format), types (mypy), import contracts (import-linter).
# Run by scripts/test.sh before the tests, and so by CI. Configuration: pyproject.toml.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${VIRTUAL_ENV:-}" ] && [ -x .venv/bin/python ]; then
    . .venv/bin/activate
fi
echo "ruff check"
ruff check grader tests benchmarks scripts
echo "ruff format --check"
ruff format --check --quiet grader tests benchmarks scripts
echo "mypy"
mypy
echo "import contracts"
lint-imports --no-cache
