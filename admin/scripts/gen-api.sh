#!/usr/bin/env bash
# Regenerate the admin's API types from the app's own OpenAPI document (no server needed):
#   app routes -> admin/src/api/openapi.json -> admin/src/api/schema.d.ts
# Run after changing a route, a schema or an enum: `cd admin && npm run gen:api`.
# tests/unit/test_admin_api_fresh.py fails while the checked-in copies are stale.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
root="$(cd "$here/.." && pwd)"
py="$root/.venv/bin/python"
[ -x "$py" ] || py=python3
(cd "$root" && "$py" -m app.cli openapi --base /api/v1) > "$here/src/api/openapi.json.tmp"
mv "$here/src/api/openapi.json.tmp" "$here/src/api/openapi.json"
cd "$here"
npx --no-install openapi-typescript src/api/openapi.json -o src/api/schema.d.ts \
  --root-types --alphabetize >/dev/null
echo "admin/src/api/openapi.json and schema.d.ts regenerated"
