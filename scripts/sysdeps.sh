#!/usr/bin/env bash
# Install the Debian packages the ARH platform needs at run and test time,
# but only the ones that are missing, so that `make` can call this on every
# run and it costs nothing once the machine is set up.
#
#   fonts-noto-cjk  Chinese glyphs for WeasyPrint PDFs (notices, leases, receipts)
#   poppler-utils   pdftoppm/pdftotext: tests look inside the PDFs we render
#   chromium        headless browser for the Playwright e2e tests
#                   (playwright cannot download its own browser here)
#
# Extra packages can be asked for with SYSDEPS_EXTRA="pkg1 pkg2".
set -euo pipefail

PACKAGES=(fonts-noto-cjk poppler-utils chromium)
if [[ -n "${SYSDEPS_EXTRA:-}" ]]; then
    read -r -a extra <<<"$SYSDEPS_EXTRA"
    PACKAGES+=("${extra[@]}")
fi

missing=()
for pkg in "${PACKAGES[@]}"; do
    # `dpkg -s` also lists removed-but-configured packages; require "install ok installed".
    status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
    if [[ "$status" != "install ok installed" ]]; then
        missing+=("$pkg")
    fi
done

if ((${#missing[@]} == 0)); then
    exit 0
fi

echo "sysdeps: installing ${missing[*]}" >&2

SUDO=()
if [[ $(id -u) -ne 0 ]]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO=(sudo)
    else
        echo "sysdeps: need root (or sudo) to install: ${missing[*]}" >&2
        exit 1
    fi
fi

export DEBIAN_FRONTEND=noninteractive
log=$(mktemp -t arh-sysdeps.XXXXXX)
trap 'rm -f "$log"' EXIT

if ! "${SUDO[@]}" apt-get update -qq >"$log" 2>&1; then
    cat "$log" >&2
    echo "sysdeps: 'apt-get update' failed; cannot install ${missing[*]}" >&2
    exit 1
fi
if ! "${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >"$log" 2>&1; then
    tail -n 40 "$log" >&2
    echo "sysdeps: 'apt-get install ${missing[*]}' failed (see the output above)" >&2
    exit 1
fi

for pkg in "${missing[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
    if [[ "$status" != "install ok installed" ]]; then
        echo "sysdeps: $pkg is still not installed after apt-get install" >&2
        exit 1
    fi
done
echo "sysdeps: installed ${missing[*]}" >&2
