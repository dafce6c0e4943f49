#!/usr/bin/env bash
# Install what the browser end-to-end tests (tests/test_web_e2e.py, marker e2e) need:
#   - Debian's chromium and chromium-driver (/usr/bin/chromium, /usr/bin/chromedriver), only if missing;
#   - Playwright's Python package, which drives that chromium (executable_path=/usr/bin/chromium).
# Idempotent: a second run installs nothing. Never runs `playwright install` (it downloads a browser
# build of its own, which fails on a machine without general network access).
#
# Usage: scripts/install_browser.sh            (uses $PYTHON, else the active venv, else .venv, else python3)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ -n "${PYTHON:-}" ]; then
    py="$PYTHON"
elif [ -n "${VIRTUAL_ENV:-}" ]; then
    py="$VIRTUAL_ENV/bin/python"
elif [ -x "$here/.venv/bin/python" ]; then
    py="$here/.venv/bin/python"
else
    py="python3"
fi

if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
    sudo=""
    if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
    echo "install_browser: installing Debian's chromium and chromium-driver" >&2
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium chromium-driver >/dev/null
fi

if ! "$py" -c "import playwright.sync_api" 2>/dev/null; then
    echo "install_browser: installing playwright (Python package; the browser is Debian's chromium)" >&2
    "$py" -m pip install --quiet "playwright>=1.45,<2"
fi

/usr/bin/chromium --version 2>/dev/null || true
"$py" -c "import importlib.metadata as m; print('playwright', m.version('playwright'))"
