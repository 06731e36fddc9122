#!/usr/bin/env bash
# The console's browser tests: headless Chromium (Debian's `chromium` package) driven by Playwright for Python
# against the real orgd binary. Screenshots go to target/console-screenshots/.
#
#   bash tests/browser/run.sh                                   # SQLite, target/debug/orgd (built if missing)
#   scripts/with-postgres bash tests/browser/run.sh             # the same on a fresh PostgreSQL database
#   ORGD_BIN=target/release/orgd bash tests/browser/run.sh -k usage     # extra arguments go to pytest
#   bash tests/browser/run.sh --install                         # only install the Python packages
#
# The pinned packages (tests/browser/requirements.txt) are installed into ~/.cache/orgd/console-venv when missing or
# different. Without Chromium it says loudly that it SKIPPED and exits 0, or 1 under CI=true.
set -euo pipefail
cd "$(dirname "$0")/../.."

venv="${ORGD_CONSOLE_VENV:-$HOME/.cache/orgd/console-venv}"
requirements=tests/browser/requirements.txt
if ! cmp -s "$requirements" "$venv/requirements.txt" 2>/dev/null || [[ ! -x "$venv/bin/pytest" ]]; then
    echo "== installing the browser tests' packages into $venv"
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$requirements"
    cp "$requirements" "$venv/requirements.txt"
fi
if [[ "${1:-}" == "--install" ]]; then exit 0; fi

chromium="${CHROMIUM:-/usr/bin/chromium}"
if [[ ! -x "$chromium" ]]; then
    echo
    echo "!!! Chromium is not installed: the console's browser tests were SKIPPED."
    echo "!!! Install it: apt-get install -y chromium"
    echo
    if [[ "${CI:-}" == "true" ]]; then exit 1; fi
    exit 0
fi
export CHROMIUM="$chromium"

export ORGD_BIN="${ORGD_BIN:-$PWD/target/debug/orgd}"
[[ -x "$ORGD_BIN" ]] || cargo build --quiet --bin orgd
if [[ -n "${TEST_POSTGRES_URL:-}" ]] && ! command -v psql >/dev/null 2>&1; then
    echo "!!! TEST_POSTGRES_URL is set but psql is missing (apt-get install -y postgresql-client)"
    exit 1
fi

backend=SQLite
[[ -n "${TEST_POSTGRES_URL:-}" ]] && backend=PostgreSQL
echo "== console browser tests on $backend ($("$chromium" --version 2>/dev/null | head -1), $ORGD_BIN)"
PYTHONDONTWRITEBYTECODE=1 exec "$venv/bin/python" -m pytest tests/browser -p no:cacheprovider -q -rA "$@"
