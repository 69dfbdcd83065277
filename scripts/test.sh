#!/usr/bin/env bash
# The whole suite: pytest (unit, integration, API, adapters, browser e2e, fuzz) and vitest.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
status=0
.venv/bin/pytest -q -ra "$@" || status=$?
(cd admin && npm test --silent) || status=$?
exit $status
