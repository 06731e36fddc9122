# bench/lib/common.sh — shell functions shared by bench/run and bench/soak (sourced, not run).
#
# The caller sets, before sourcing: repo (the checkout), lib (bench/lib), prog (its name, for messages), out (logs
# and results), work (a private temporary directory, removed on exit), bin (the orgd binary) and backends (the
# comma-separated list it will run). Defines zone; after `fresh_db`: db_url, db_path, owner_token,
# member_token, deep_cursor; after `start_orgd`: orgd_pid, port, base; after `pg_start`: pg_base.

zone=bench.local

log() { printf '\n== %s\n' "$*" >&2; }
die() { echo "$prog: $*" >&2; exit 1; }
report() { python3 "$lib/report.py" "$@"; }
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# --- processes the script starts, stopped by pid on exit ----------------------------------------------------------
orgd_pid=""
prism_pid=""
npm_pid=""
pgbin=""
pgdir=""
as_pg=()
cleanup() {
    for p in $orgd_pid $prism_pid $npm_pid; do kill "$p" 2>/dev/null || true; done
    if [[ -n $pgdir && -d $pgdir/data ]]; then
        "${as_pg[@]}" "$pgbin/pg_ctl" -D "$pgdir/data" -m fast stop >/dev/null 2>&1 || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

# --- tools -------------------------------------------------------------------------------------------------------
apt_updated=0
apt_install() {
    [[ $(id -u) == 0 ]] || die "$* missing and not root: install it (apt-get install $*)"
    if [[ $apt_updated == 0 ]]; then apt-get update -qq >/dev/null; apt_updated=1; fi
    echo "installing $* with apt-get" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}
find_pgbin() {
    for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        if [[ -x $d/initdb && -x $d/pg_ctl ]]; then echo "$d"; return; fi
    done
}
# wrk, curl, python3; PostgreSQL's server binaries and psql when $backends names postgres.
need_tools() {
    command -v wrk >/dev/null || apt_install wrk
    command -v curl >/dev/null || apt_install curl
    command -v python3 >/dev/null || die "python3 is needed"
    if [[ $backends == *postgres* ]]; then
        pgbin=$(find_pgbin)
        if [[ -z $pgbin ]]; then apt_install postgresql; pgbin=$(find_pgbin); fi
        [[ -n $pgbin ]] || die "no PostgreSQL server binaries"
        command -v psql >/dev/null || die "psql missing"
    fi
}

# The release binary, built into $target_dir.
build_release() {
    log "cargo build --release (target dir $target_dir)"
    (cd "$repo" && CARGO_TARGET_DIR=$target_dir cargo build --release --locked --quiet)
}

# --- machine facts: sets cpu, mem, loadavg, wrk_version, machine ---------------------------------------------------
machine_facts() {
    cpu=$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)
    mem=$(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo)
    loadavg=$(cut -d' ' -f1-3 /proc/loadavg)
    wrk_version=$( (wrk -v 2>&1 || true) | awk 'NR == 1 {print $1, $2}')
    machine="$(nproc) cores ($cpu), $mem, $(uname -sr)"
    echo "machine: $machine; load average $loadavg" >&2
    if awk -v l="${loadavg%% *}" 'BEGIN { exit !(l > 1.0) }'; then
        echo "warning: the machine is busy (load average $loadavg): figures will be noisy" >&2
    fi
}

# --- PostgreSQL: a private cluster with the default, durable settings (fsync and synchronous_commit on) -----------
pg_start() {
    pgdir=$work/pg
    mkdir -p "$pgdir"
    if [[ $(id -u) == 0 ]]; then
        id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
        chown postgres "$pgdir"
        as_pg=(runuser -u postgres --)
    fi
    local port
    port=$(free_port)
    "${as_pg[@]}" "$pgbin/initdb" -D "$pgdir/data" -U postgres --auth=trust -E UTF8 --locale=C >"$out/initdb.log" 2>&1 \
        || { cat "$out/initdb.log"; die "initdb failed"; }
    "${as_pg[@]}" "$pgbin/pg_ctl" -D "$pgdir/data" -l "$pgdir/server.log" -w -t 60 \
        -o "-p $port -k $pgdir -c listen_addresses=127.0.0.1 ${BENCH_PG_OPTIONS:-}" start >/dev/null \
        || { cat "$pgdir/server.log"; die "PostgreSQL did not start"; }
    pg_base="postgres://postgres@127.0.0.1:$port"
    echo "PostgreSQL $("$pgbin/postgres" --version | awk '{print $3}') at $pg_base (fsync on)" >&2
}

# --- orgd ----------------------------------------------------------------------------------------------------------
orgd_env() {
    env ORGD_DATABASE_URL="$db_url" ORGD_ZONE=$zone ORGD_RATE_LIMIT=off ORGD_DEFAULT_PLAN=teams "$@"
}

# A fresh, migrated and seeded database of $orgs organizations for $backend (named after $orgs), with the two
# bench users: sets db_url, db_path, owner_token, member_token, deep_cursor.
fresh_db() {
    if [[ $backend == sqlite ]]; then
        db_path=$work/bench-$orgs.db
        rm -f "$db_path" "$db_path-wal" "$db_path-shm"
        db_url=sqlite://$db_path
    else
        psql -X -q "$pg_base/postgres" -c "drop database if exists bench_$orgs" -c "create database bench_$orgs"
        db_url=$pg_base/bench_$orgs
    fi
    orgd_env "$bin" migrate >/dev/null
    owner_token=$(orgd_env "$bin" users add --email bench-owner@example.com --name "Bench Owner")
    member_token=$(orgd_env "$bin" users add --email bench-member@example.com --name "Bench Member")
    local target=${db_path:-}
    [[ $backend == postgres ]] && target=$db_url
    deep_cursor=$(python3 "$lib/seed.py" "$backend" "$target" "$orgs" "$zone")
}
drop_db() {
    if [[ $backend == postgres ]]; then
        psql -X -q "$pg_base/postgres" -c "drop database bench_$orgs"
    else
        rm -f "$db_path" "$db_path-wal" "$db_path-shm"
    fi
}

# `orgd serve` on a free port of 127.0.0.1, logging to $out/orgd-$backend-$orgs${1:-}.log; waits for /livez.
start_orgd() {
    local logf=$out/orgd-$backend-$orgs${1:-}.log
    port=$(free_port)
    base=http://127.0.0.1:$port
    # env directly (not a shell function) so that $! is orgd's own pid
    env ORGD_DATABASE_URL="$db_url" ORGD_ZONE=$zone ORGD_RATE_LIMIT=off ORGD_DEFAULT_PLAN=teams \
        ORGD_BIND=127.0.0.1:$port "$bin" serve >"$logf" 2>&1 &
    orgd_pid=$!
    for _ in $(seq 1 300); do
        curl -fs "$base/livez" >/dev/null 2>&1 && return
        kill -0 "$orgd_pid" 2>/dev/null || { cat "$logf"; die "orgd exited"; }
        sleep 0.1
    done
    die "orgd did not answer /livez within 30 s"
}
stop_orgd() {
    kill "$orgd_pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$orgd_pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$orgd_pid" 2>/dev/null || true
    wait "$orgd_pid" 2>/dev/null || true
    orgd_pid=""
}
rss_kb() { awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/status"; }
db_bytes() {
    if [[ $backend == sqlite ]]; then
        du -cb "$db_path" "$db_path-wal" "$db_path-shm" 2>/dev/null | tail -1 | cut -f1
    else
        psql -X -At "$db_url" -c "select pg_database_size(current_database())"
    fi
}

# --- the endpoints ---------------------------------------------------------------------------------------------------
# name|method|path|body|token (owner or member)|id range for {org}
endpoints() {
    local last=$(( orgs - 100 )) vars=$(( orgs < 1000 ? orgs : 1000 ))
    cat <<EOT
livez|GET|/livez||none|1
get_org|GET|/api/v2/organizations/{org}||owner|$orgs
list|GET|/api/v2/organizations?pg%5Blimit%5D=100||owner|1
list_last|GET|/api/v2/organizations?pg%5Blimit%5D=100&pg%5Boffset%5D=$last||owner|1
list_id|GET|/api/v2/organizations?pg%5Blimit%5D=100&pg%5BsortBy%5D=id||owner|1
list_id_last|GET|/api/v2/organizations?pg%5Blimit%5D=100&pg%5BsortBy%5D=id&pg%5Boffset%5D=$last||owner|1
check_perm|GET|/api/v2/organizations/{org}/check-team-permission?teamPermission=scenario%20add||member|$orgs
var_history|GET|/api/v2/organizations/{org}/variables/histVar/history||owner|$vars
audit_first|GET|/api/v2/audit-logs/v2/organization/1?pg%5Blimit%5D=50||owner|1
audit_deep|GET|/api/v2/audit-logs/v2/organization/1?pg%5Blimit%5D=50&pg%5Blast%5D=${deep_cursor:-0_0}||owner|1
patch_var|PATCH|/api/v2/organizations/{org}/variables/benchVar|{"value": {n}}|owner|$vars
patch_one|PATCH|/api/v2/organizations/{org}/variables/benchVar|{"value": {n}}|owner|1
create_org|POST|/api/v2/organizations|{"name": "Bench {n}", "regionId": 1, "timezoneId": 113, "countryId": 1}|owner|1
EOT
}
token_for() {
    case $1 in owner) echo "$owner_token" ;; member) echo "$member_token" ;; *) echo "" ;; esac
}

# Fails loudly if an endpoint does not answer 200 before it is measured (a fast 401 would look great).
check_endpoint() {
    local line=$1 name method path body who range token
    IFS='|' read -r name method path body who range <<<"$line"
    token=$(token_for "$who")
    path=${path//\{org\}/1}
    body=${body//\{n\}/0}
    local args=(-s -o "$work/check.out" -w '%{http_code}' -X "$method")
    [[ -n $token ]] && args+=(-H "Authorization: Token $token")
    [[ -n $body ]] && args+=(-H 'Content-Type: application/json' --data "$body")
    local code
    code=$(curl "${args[@]}" "$base$path")
    [[ $code == 200 ]] || { cat "$work/check.out"; echo; die "$name: $method $path answered $code"; }
}
