#!/usr/bin/env bash
# Biome, the console's formatter and linter, at the version package-lock.json pins, set up by ../../biome.json:
#   bash tools/biome/run.sh ci                       check console/ (formatting and lints), as scripts/test does
#   bash tools/biome/run.sh check --write            format console/ and apply the safe fixes
# Installs itself like the other Node tools (tests/clients/run.sh): `npm ci` when node_modules is missing or
# package-lock.json changed since the last install. Needs Node.js with npm.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

stamp=node_modules/.package-lock.sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [[ ! -x node_modules/.bin/biome || ! -f $stamp || "$(cat "$stamp")" != "$want" ]]; then
    npm ci --no-audit --no-fund
    echo "$want" >"$stamp"
fi

cd ../..
exec tools/biome/node_modules/.bin/biome "$@" console
