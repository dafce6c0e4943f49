#!/usr/bin/env bash
# The test command: set up (if needed), run the static checks, then the whole offline test suite.
# Arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
. .venv/bin/activate
bash scripts/check.sh
exec python -m pytest "$@"
