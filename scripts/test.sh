#!/usr/bin/env bash
# The whole suite: the import contracts (lint-imports, pyproject.toml [tool.importlinter]), then
# pytest (unit, integration, API, adapters, browser e2e, fuzz) and vitest.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
status=0
# One-way imports (app/domains/README.md): a broken layer or a new cycle fails the run.
.venv/bin/lint-imports --no-cache || status=$?
.venv/bin/pytest -q -ra "$@" || status=$?
(cd admin && npm test --silent) || status=$?
exit $status
