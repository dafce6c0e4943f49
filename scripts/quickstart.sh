#!/usr/bin/env bash
# One command on a fresh machine: set up .venv, then grade every example answer offline with the
# embedded grader (no key, no server, no network) and write a report.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
. .venv/bin/activate
mkdir -p out
export GRADER_STORE="${GRADER_STORE:-$PWD/out/grader.sqlite3}"
status=0
grader batch examples/cohort.csv -o out/results.csv --backend local --overwrite || status=$?
# exit 5 only means some rows were flagged unscored/error; the report lists them
if [ "$status" -ne 0 ] && [ "$status" -ne 5 ]; then exit "$status"; fi
grader report out/results.csv -o out/report.html --answers examples/cohort.csv
echo "results: out/results.csv"
