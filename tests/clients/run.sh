#!/usr/bin/env bash
# Runs Make's own clients, unchanged, against the orgd binary over orgd's own HTTPS:
#   make-cli.test.mjs  make-cli (npm @makehq/cli) as a child process, `--zone localhost:PORT --api-key TOKEN`
#   sdk.test.mjs       the SDK (@makehq/sdk) with its default https protocol, `new Make(token, 'localhost:PORT')`
# Each file starts its own `orgd serve` (harness.mjs) on 127.0.0.1:0 with orgd's defaults, a fresh database and
# the certificate made here, and stops it at the end.
#
# TLS: this script makes a throwaway CA (basicConstraints CA:TRUE) and a server certificate for DNS:localhost,
# IP:127.0.0.1 and IP:::1 signed by it, with openssl, in a temp folder that is removed on exit, and exports
#   ORGD_TEST_CA, ORGD_TEST_CERT, ORGD_TEST_KEY  the PEM files (the harness hands the last two to orgd as
#                                               ORGD_TLS_CERT / ORGD_TLS_KEY)
#   NODE_EXTRA_CA_CERTS=$ORGD_TEST_CA           node reads it only when a process starts, so it must be set before
#                                               `node --test` (whose test-file processes inherit it) for the SDK to
#                                               trust the CA; make-cli's processes get it the same way.
# Running `node --test` here without this script fails early with a message saying so.
#
# Database: SQLite in a temp folder; when TEST_POSTGRES_URL is set (scripts/with-postgres), a fresh database on
# that server instead, created and dropped with psql.
#
# Needs Node.js 20 with npm, openssl, psql for PostgreSQL, and a built binary: ORGD_BIN (default
# ../../target/debug/orgd from this folder).
set -euo pipefail
# A relative ORGD_BIN means relative to where this script was called from.
if [[ -n "${ORGD_BIN:-}" ]]; then export ORGD_BIN="$(realpath -m "$ORGD_BIN")"; fi
cd "$(dirname "${BASH_SOURCE[0]}")"

# Install only when node_modules is missing or package-lock.json changed since the last install.
stamp=node_modules/.package-lock.sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [[ ! -x node_modules/.bin/make-cli || ! -d node_modules/@makehq/sdk || ! -f $stamp || "$(cat "$stamp")" != "$want" ]]; then
    npm ci --no-audit --no-fund
    echo "$want" >"$stamp"
fi
# `--install`: only install (scripts/install-test-tools, before the suite's lanes run side by side).
if [[ "${1:-}" == "--install" ]]; then exit 0; fi

tls=$(mktemp -d "${TMPDIR:-/tmp}/orgd-clients-tls.XXXXXX")
trap 'rm -rf "$tls"' EXIT
{
    openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 2 \
        -keyout "$tls/ca-key.pem" -out "$tls/ca.pem" -subj "/CN=orgd clients test CA" \
        -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
    openssl req -newkey rsa:2048 -nodes -sha256 \
        -keyout "$tls/server-key.pem" -out "$tls/server.csr" -subj "/CN=localhost"
    printf '%s\n' 'basicConstraints=critical,CA:FALSE' 'keyUsage=critical,digitalSignature,keyEncipherment' \
        'extendedKeyUsage=serverAuth' 'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1' >"$tls/server.ext"
    openssl x509 -req -sha256 -days 2 -in "$tls/server.csr" -CA "$tls/ca.pem" -CAkey "$tls/ca-key.pem" \
        -set_serial "0x$(openssl rand -hex 16)" -extfile "$tls/server.ext" -out "$tls/server.pem"
} 2>"$tls/openssl.log" || { cat "$tls/openssl.log" >&2; exit 1; }

export ORGD_TEST_CA="$tls/ca.pem" ORGD_TEST_CERT="$tls/server.pem" ORGD_TEST_KEY="$tls/server-key.pem"
export NODE_EXTRA_CA_CERTS="$ORGD_TEST_CA"
if [[ -n "${TEST_POSTGRES_URL:-}" ]]; then backend=PostgreSQL; else backend=SQLite; fi
echo "clients (make-cli, @makehq/sdk) over HTTPS on $backend" >&2
node --test *.test.mjs
