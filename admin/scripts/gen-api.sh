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
# Temporary files of our own: two runs at once (a shared checkout) must not take each other's.
spec_tmp="$(mktemp)"; dicts_tmp="$(mktemp)"
trap 'rm -f "$spec_tmp" "$dicts_tmp"' EXIT
(cd "$root" && "$py" -m app.cli openapi --base /api/v1) > "$spec_tmp"
cp "$spec_tmp" "$here/src/api/openapi.json"
# The enumerations and their labels (GET /api/public/dicts), for lib/dicts.ts.
(cd "$root" && "$py" -c 'import sys; from app.api.dicts import dicts_json; sys.stdout.write(dicts_json())') > "$dicts_tmp"
cp "$dicts_tmp" "$here/src/api/dicts.json"
cd "$here"
npx --no-install openapi-typescript src/api/openapi.json -o src/api/schema.d.ts \
  --root-types --alphabetize >/dev/null
echo "admin/src/api/openapi.json, schema.d.ts and dicts.json regenerated"
