#!/usr/bin/env bash
# Runs the official Make TypeScript SDK (@makehq/sdk) against the orgd binary.
# Needs a built binary: `cargo build` first, or point ORGD_BIN at one.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

# Install only when node_modules is missing or package-lock.json changed since the last install.
stamp=node_modules/.package-lock.sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [[ ! -d node_modules/@makehq/sdk || ! -f $stamp || "$(cat "$stamp")" != "$want" ]]; then
    npm ci --no-audit --no-fund
    echo "$want" >"$stamp"
fi
# `--install`: only install (scripts/install-test-tools, before the suite's lanes run side by side).
if [[ "${1:-}" == "--install" ]]; then exit 0; fi

exec node --test compat.test.mjs ratelimit.test.mjs
