#!/usr/bin/env bash
# Installs what the tests need, once: the npm packages from the lock file and a Python virtual
# environment (.venv) with requirements-dev.txt. Re-runs an install only when its inputs change.
set -euo pipefail
cd "$(dirname "$0")/.."

stamp() { sha256sum "$@" | sha256sum | cut -d' ' -f1; }

# What npm ci installs from: the lock file and package.json's dependency fields (a change to its
# scripts or description installs nothing).
node_stamp=$( (node -e '
  const p = require("./package.json");
  const fields = ["dependencies", "devDependencies", "optionalDependencies", "peerDependencies", "overrides", "engines"];
  console.log(JSON.stringify(fields.map((f) => p[f] ?? null)));'; cat package-lock.json) | sha256sum | cut -d' ' -f1)
if [ ! -f node_modules/.deps-stamp ] || [ "$(cat node_modules/.deps-stamp)" != "$node_stamp" ]; then
  echo "Installing npm packages (npm ci)..."
  npm ci --no-audit --no-fund
  echo "$node_stamp" > node_modules/.deps-stamp
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
