#!/usr/bin/env bash
# Regenerate the admin's API types from the app's own OpenAPI document (no server needed):
#   app routes -> admin/src/api/openapi.json -> admin/src/api/schema.d.ts
#   app label maps (app/api/dicts.py) -> admin/src/api/dicts.json
# Run after changing a route, a schema or an enum: `cd admin && npm run gen:api`.
# tests/unit/test_admin_api_fresh.py fails while the checked-in copies are stale.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
root="$(cd "$here/.." && pwd)"
py="$root/.venv/bin/python"
[ -x "$py" ] || py=python3
(cd "$root" && "$py" -m app.cli openapi --base /api/v1) > "$here/src/api/openapi.json.tmp"
mv "$here/src/api/openapi.json.tmp" "$here/src/api/openapi.json"
# The enumerations and their labels (GET /api/v1/dicts), for lib/dicts.ts.
(cd "$root" && "$py" -c 'import sys; from app.api.dicts import dicts_json; sys.stdout.write(dicts_json())') > "$here/src/api/dicts.json.tmp"
mv "$here/src/api/dicts.json.tmp" "$here/src/api/dicts.json"
cd "$here"
npx --no-install openapi-typescript src/api/openapi.json -o src/api/schema.d.ts \
  --root-types --alphabetize >/dev/null
echo "admin/src/api/openapi.json, schema.d.ts and dicts.json regenerated"
