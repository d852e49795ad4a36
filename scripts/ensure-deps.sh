#!/usr/bin/env bash
# Installs what the tests need, once: the npm packages from the lock file and a Python virtual
# environment (.venv) with requirements-dev.txt. Re-runs an install only when its inputs change.
set -euo pipefail
cd "$(dirname "$0")/.."

stamp() { sha256sum "$@" | sha256sum | cut -d' ' -f1; }

# npm ci runs again only when node_modules is not what the lock file says, judged from what npm
# itself records there (node_modules/.package-lock.json), so README's own `npm ci` counts too.
if ! node scripts/npm-current.js; then
  echo "Installing npm packages (npm ci)..."
  npm ci --no-audit --no-fund
fi

python=${PYTHON:-python3}
py_stamp=$(stamp requirements-dev.txt requirements-reference.txt)
if [ ! -f .venv/.deps-stamp ] || [ "$(cat .venv/.deps-stamp)" != "$py_stamp" ]; then
  echo "Creating the Python virtual environment (.venv)..."
  "$python" -m venv .venv
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --no-deps -r requirements-reference.txt
  echo "$py_stamp" > .venv/.deps-stamp
fi

# The reviewer app's browser test drives Debian's Chromium (no test tool may download a browser
# here). Installed when missing and this runs as root (as CI does); otherwise the test says how.
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing Chromium for the browser test (apt-get install chromium)..."
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null
  else
    echo "Chromium is not installed and this is not root: install Debian's chromium package for the reviewer app's browser test." >&2
  fi
fi
