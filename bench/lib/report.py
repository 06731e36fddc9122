#!/usr/bin/env python3
"""Collects bench/run's measurements (one JSON object a line) and prints the tables.

  report.py record RESULTS KEY=VALUE...  < wrk output   append one load measurement (parses the BENCH line)
  report.py fact RESULTS KEY=VALUE...                  append any other fact (sizes, RSS, timings)
  report.py get RESULTS KEY=VALUE... FIELD             print FIELD of the last record matching every KEY=VALUE
  report.py table RESULTS                              print the Markdown tables
  report.py update RESULTS MARKDOWN SECTION            replace a generated section of bench/RESULTS.md (the text
                                                       between <!-- bench:SECTION:begin --> and ...:end -->); section
                                                       "soak" gets the long run's tables (bench/soak)
  report.py soak-sample RESULTS KEY=VALUE... [< wrk output]  append one sample of bench/soak (after a chunk of
                                                       bench/lib/mixed.lua load, or none for the idle sample); prints
                                                       the backend's requests so far
  report.py non2xx-routes -  < /metrics text           print orgd_http_requests_total's non-2xx counts by route
  report.py soak-table RESULTS                         print bench/soak's tables and verdict
"""
import json
import re
import sys

ENDPOINTS = [
    ("livez", "`GET /livez` (floor: no database, no auth)"),
    ("get_org", "GET organization"),
    ("list", "list 100 organizations (first page, by name)"),
    ("create_org", "create organization"),
    ("patch_var", "PATCH variable (durable write + history)"),
    ("patch_one", "PATCH variable, 32 writers on one organization's variable"),
    ("var_history", "GET variable history (10 entries)"),
    ("audit_first", "GET audit log, first page (50 of 1 000 000 entries)"),
    ("audit_deep", "GET audit log, deepest page by cursor"),
    ("check_perm", "check-team-permission (Member, team role)"),
]
PAGING = [
    ("list", "name, first page"),
    ("list_last", "name, last page"),
    ("list_id", "id, first page"),
    ("list_id_last", "id, last page"),
]
BACKENDS = {"sqlite": "SQLite", "postgres": "PostgreSQL"}


def parse_kv(args):
    out = {}
    for a in args:
        k, _, v = a.partition("=")
        try:
            out[k] = int(v)
        except ValueError:
            try:
                out[k] = float(v)
            except ValueError:
                out[k] = v
    return out


def load(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def append(path, rec):
    with open(path, "a") as f:
        f.write(json.dumps(rec) + "\n")


def record(path, args):
    rec = parse_kv(args)
    text = sys.stdin.read()
    m = re.search(r"^BENCH (.*)$", text, re.M)
    if not m:
        sys.stderr.write(text)
        sys.exit("report.py: no BENCH line in the wrk output")
    rec.update(parse_kv(m.group(1).split()))
    rec["kind"] = "load"
    rec["rps"] = rec["requests"] / (rec["duration_us"] / 1e6) if rec["duration_us"] else 0.0
    rec["errors"] = sum(rec[k] for k in rec if k.startswith("err_"))
    append(path, rec)
    bad = rec["errors"]
    print(f"  {rec.get('endpoint', '?'):<14} {rec.get('mode', ''):<4} {rec['rps']:>9.0f} req/s  "
          f"p50 {rec['p50_us'] / 1000:6.2f} ms  p99 {rec['p99_us'] / 1000:6.2f} ms"
          + (f"  ERRORS {bad} (non-2xx or socket)" if bad else ""), flush=True)


def find(recs, **want):
    hit = None
    for r in recs:
        if all(r.get(k) == v for k, v in want.items()):
            hit = r
    return hit


def ms(us):
    return f"{us / 1000:.2f}" if us is not None else "–"


def mib(kb=None, b=None):
    if kb is not None:
        return f"{kb / 1024:.0f} MiB"
    if b is not None:
        return f"{b / 2**20:.0f} MiB" if b < 2**30 else f"{b / 2**30:.2f} GiB"
    return "–"


def combos(recs):
    seen = []
    for r in recs:
        if r.get("kind") in ("load", "scale") and r.get("backend") in BACKENDS:
            c = (r["backend"], r["orgs"])
            if c not in seen:
                seen.append(c)
    return seen


def tables(recs):
    out = []
    w = out.append
    meta = find(recs, kind="meta") or {}
    if meta:
        w(f"Machine: {meta.get('machine', '?')}  ")
        w(f"Date: {meta.get('date', '?')}  ")
        w(f"Command: `{meta.get('command', '?')}` (load phase {meta.get('load_wall_s', '?')} s"
          + (f", whole run {meta['wall_s']} s" if "wall_s" in meta else "") + ")  ")
        w(f"Load generator: {meta.get('loadgen', '?')}  ")
        w(f"Load average before the run: {meta.get('loadavg', '?')}")
        w("")
    w("### Throughput and latency (ratios against `/livez` of the same server in the same run)")
    w("")
    w("| backend | orgs | endpoint | req/s | × /livez | p50 ms | p99 ms | ½-load req/s | p99 ms at ½ load |")
    w("|---|---:|---|---:|---:|---:|---:|---:|---:|")
    for backend, orgs in combos(recs):
        floor = find(recs, kind="load", backend=backend, orgs=orgs, endpoint="livez", mode="max")
        for ep, label in ENDPOINTS:
            r = find(recs, kind="load", backend=backend, orgs=orgs, endpoint=ep, mode="max")
            if not r:
                continue
            h = find(recs, kind="load", backend=backend, orgs=orgs, endpoint=ep, mode="half")
            ratio = f"{r['rps'] / floor['rps']:.2f}" if floor and floor["rps"] else "–"
            err = f" ({r['errors']} errors)" if r["errors"] else ""
            half_rps = f"{h['rps']:,.0f}" if h else "–"
            half_p99 = ms(h["p99_us"]) if h else "–"
            w(f"| {BACKENDS[backend]} | {orgs:,} | {label} | {r['rps']:,.0f}{err} | {ratio} | {ms(r['p50_us'])} | "
              f"{ms(r['p99_us'])} | {half_rps} | {half_p99} |")
    w("")
    w("### Scale: paging cost, database size, server memory")
    w("")
    w("Paging is `GET /organizations?pg[limit]=100` at offset 0 and at the last page (offset N−100), sorted by "
      "name (the default) and by id; figures are p50 latency under the same load (and req/s).")
    w("")
    w("| backend | orgs | " + " | ".join(label for _, label in PAGING)
      + " | last/first (name) | DB on disk | RSS before warm-up | RSS idle, warm | RSS peak under load |")
    w("|---|---:|" + "---:|" * len(PAGING) + "---:|---:|---:|---:|---:|")
    for backend, orgs in combos(recs):
        cells = []
        for ep, _ in PAGING:
            r = find(recs, kind="load", backend=backend, orgs=orgs, endpoint=ep, mode="max")
            cells.append(f"{ms(r['p50_us'])} ms ({r['rps']:,.0f}/s)" if r else "–")
        first = find(recs, kind="load", backend=backend, orgs=orgs, endpoint="list", mode="max")
        last = find(recs, kind="load", backend=backend, orgs=orgs, endpoint="list_last", mode="max")
        growth = f"{first['rps'] / last['rps']:.2f}×" if first and last and last["rps"] else "–"
        s = find(recs, kind="scale", backend=backend, orgs=orgs) or {}
        w(f"| {BACKENDS[backend]} | {orgs:,} | " + " | ".join(cells)
          + f" | {growth} | {mib(b=s.get('db_bytes'))} | {mib(kb=s.get('rss_cold_kb'))} | "
          f"{mib(kb=s.get('rss_idle_kb'))} | "
          f"{mib(kb=s.get('rss_peak_kb'))} |")
    w("")
    prism = find(recs, kind="load", backend="prism", endpoint="get_org", mode="max")
    w("### Peer: Prism mock server of orgd's own OpenAPI document")
    w("")
    if prism:
        w("| server | GET organization req/s | p50 ms | p99 ms | orgd ÷ Prism |")
        w("|---|---:|---:|---:|---:|")
        w(f"| Prism {prism.get('version', '')} (`prism mock`, Node.js) | {prism['rps']:,.0f} | {ms(prism['p50_us'])} | "
          f"{ms(prism['p99_us'])} | 1 |")
        for backend, orgs in combos(recs):
            r = find(recs, kind="load", backend=backend, orgs=orgs, endpoint="get_org", mode="max")
            if r:
                w(f"| orgd, {BACKENDS[backend]}, {orgs:,} orgs | {r['rps']:,.0f} | {ms(r['p50_us'])} | "
                  f"{ms(r['p99_us'])} | {r['rps'] / prism['rps']:.1f} |")
    else:
        skipped = find(recs, kind="prism_skipped")
        w(f"Skipped: {skipped['reason'] if skipped else 'not run'}.")
    w("")
    w("### Targets")
    w("")
    w("| target | measured | met |")
    w("|---|---|---|")
    for line in targets(recs, prism):
        w(line)
    return "\n".join(out)


def targets(recs, prism):
    """The targets of the current speed round (issue 17), each from this run's own ratios."""
    rows = []

    def row(name, values, ok):
        rows.append(f"| {name} | {'; '.join(values) if values else 'not measured'} | "
                    f"{('yes' if ok else '**no**') if values else '–'} |")

    def ratio(name, endpoint, backend, at_least):
        vals, ok = [], True
        for b, orgs in combos(recs):
            if b != backend:
                continue
            floor = find(recs, kind="load", backend=b, orgs=orgs, endpoint="livez", mode="max")
            r = find(recs, kind="load", backend=b, orgs=orgs, endpoint=endpoint, mode="max")
            if floor and r:
                x = r["rps"] / floor["rps"]
                vals.append(f"{orgs:,}: {x:.2f}×")
                ok &= x >= at_least
        row(f"{name} ÷ `/livez`, {BACKENDS[backend]} ≥ {at_least} ×", vals, ok)

    # Round three's targets (issue 27).
    ratio("GET organization", "get_org", "sqlite", 0.5)
    ratio("GET organization", "get_org", "postgres", 0.4)
    ratio("list 100 organizations", "list", "sqlite", 0.2)
    ratio("list 100 organizations", "list", "postgres", 0.2)
    ratio("PATCH variable, 32 writers on one", "patch_one", "sqlite", 0.2)
    ratio("PATCH variable, 32 writers on one", "patch_one", "postgres", 0.1)
    ratio("create organization", "create_org", "sqlite", 0.1)
    vals, ok = [], True
    if prism:
        for b, orgs in combos(recs):
            r = find(recs, kind="load", backend=b, orgs=orgs, endpoint="get_org", mode="max")
            if r and b == "postgres":
                x = r["rps"] / prism["rps"]
                vals.append(f"{orgs:,}: {x:.1f}×")
                ok &= x >= 10
    row("GET organization ÷ Prism, PostgreSQL ≥ 10 ×", vals, ok)
    vals, ok = [], True
    for b, orgs in combos(recs):
        h = find(recs, kind="load", backend=b, orgs=orgs, endpoint="get_org", mode="half")
        if h and b == "sqlite":
            vals.append(f"{orgs:,}: {ms(h['p99_us'])} ms")
            ok &= h["p99_us"] <= 5000
    row("p99 at half load, GET organization, SQLite ≤ 5 ms", vals, ok)
    vals, ok = [], True
    for b, orgs in combos(recs):
        s = find(recs, kind="scale", backend=b, orgs=orgs)
        if s and b == "sqlite" and orgs >= 1_000_000:
            vals.append(f"{mib(b=s['db_bytes'])}")
            ok &= s["db_bytes"] <= 0.6 * 2**30
    if not vals:
        rows.append("| database at 1 000 000 organizations, SQLite ≤ 0.6 GiB | not run (`bench/run --huge`) | – |")
    else:
        row("database at 1 000 000 organizations, SQLite ≤ 0.6 GiB", vals, ok)
    return rows


# --- bench/soak: the long run ------------------------------------------------------------------------------------

def parse_counts(text, tag):
    m = re.search(rf"^{tag} ?(.*)$", text, re.M)
    return {k: int(v) for k, _, v in (x.partition("=") for x in m.group(1).split())} if m else {}


def soak_sample(path, args):
    rec = parse_kv(args)
    rec["kind"] = "soak_sample"
    text = "" if sys.stdin.isatty() else sys.stdin.read()
    m = re.search(r"^BENCH (.*)$", text, re.M)
    if m:
        rec.update(parse_kv(m.group(1).split()))
        rec["rps"] = rec["requests"] / (rec["duration_us"] / 1e6) if rec["duration_us"] else 0.0
        rec["statuses"] = parse_counts(text, "BENCHSTATUS")
        rec["mix"] = parse_counts(text, "BENCHMIX")
        rec["socket_errors"] = sum(rec[k] for k in ("err_connect", "err_read", "err_write", "err_timeout"))
    elif text.strip():
        sys.stderr.write(text)
        sys.exit("report.py: no BENCH line in the wrk output")
    else:
        rec["requests"] = 0
    before = [r for r in load(path) if r.get("kind") == "soak_sample" and r.get("backend") == rec.get("backend")
              and r.get("orgs") == rec.get("orgs")] if _exists(path) else []
    rec["total"] = sum(r.get("requests", 0) for r in before) + rec["requests"]
    append(path, rec)
    print(rec["total"])


def _exists(path):
    try:
        open(path).close()
        return True
    except OSError:
        return False


def non2xx(statuses):
    return sum(n for code, n in statuses.items() if not 200 <= int(code) < 300)


def soak_tables(recs):
    out = []
    w = out.append
    meta = find(recs, kind="soak_meta") or {}
    if meta:
        w(f"Machine: {meta.get('machine', '?')}  ")
        w(f"Date: {meta.get('date', '?')}  ")
        w(f"Command: `{meta.get('command', '?')}` (whole run {meta.get('wall_s', '?')} s)  ")
        w(f"Load generator: {meta.get('loadgen', '?')}  ")
        w(f"Mix (weights): {meta.get('mix', '?')}  ")
        w(f"Load average before the run: {meta.get('loadavg', '?')}; after: {meta.get('loadavg_after', '?')}")
        w("")
    backends = []
    for r in recs:
        if r.get("kind") == "soak_sample" and (r["backend"], r["orgs"]) not in backends:
            backends.append((r["backend"], r["orgs"]))
    for backend, orgs in backends:
        samples = [r for r in recs if r.get("kind") == "soak_sample" and r["backend"] == backend and r["orgs"] == orgs]
        end = find(recs, kind="soak_end", backend=backend, orgs=orgs) or {}
        warmup = meta.get("warmup", 0)
        w(f"### {BACKENDS.get(backend, backend)}, {orgs:,} organizations")
        w("")
        w("| requests so far | phase | s | req/s (chunk) | p99 ms | non-2xx + socket errors | RSS MiB | anon MiB | threads | fds "
          "| db conns (pool) | db conns (seen) | DB MiB |")
        w("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        base = None
        for r in samples:
            phase = r.get("phase", "")
            if phase == "load" and base is None and r["total"] >= warmup:
                base = r
                phase = "baseline"
            elif phase == "load" and base is None:
                phase = "warm-up"
            rps = f"{r['rps']:,.0f}" if "rps" in r else "–"
            p99 = ms(r["p99_us"]) if "p99_us" in r else "–"
            bad = non2xx(r.get("statuses", {})) + r.get("socket_errors", 0) if "statuses" in r else "–"
            w(f"| {r['total']:,} | {phase} | {r.get('elapsed_s', '–')} | {rps} | {p99} | {bad} | "
              f"{r['rss_kb'] / 1024:.1f} | {r.get('anon_kb', 0) / 1024:.1f} | {r.get('threads', '–')} | "
              f"{r['fds']} | {r.get('pool', '–')} | {r.get('db_conns', '–')} | {mib_n(r.get('db_bytes'))} |")
        w("")
        after = [r for r in samples if base is not None and samples.index(r) >= samples.index(base)]
        w(verdict(samples, base, after, end))
        w("")
    return "\n".join(out)


def non2xx_routes(text):
    out = []
    for line in text.splitlines():
        m = re.match(r"orgd_http_requests_total\{(.*)\} (\d+)", line)
        if m:
            labels = dict(re.findall(r'(\w+)="([^"]*)"', m.group(1)))
            if not labels.get("status", "200").startswith("2"):
                out.append(f"{labels.get('method')} {labels.get('route')} {labels.get('status')}: {m.group(2)}")
    return "; ".join(out)


def mib_n(b):
    return f"{b / 2**20:.0f}" if isinstance(b, (int, float)) else "–"


def verdict(samples, base, after, end):
    if not base:
        return "**Verdict**: no sample after the warm-up (the run was shorter than the warm-up)."
    last = after[-1]
    growth = (last["rss_kb"] - base["rss_kb"]) / base["rss_kb"] * 100
    peak = max(after, key=lambda r: r["rss_kb"])
    fds = [r["fds"] for r in after]
    pool = [r["pool"] for r in after if isinstance(r.get("pool"), int)]
    seen = [r["db_conns"] for r in after if isinstance(r.get("db_conns"), int)]
    statuses = {}
    for r in samples:
        for k, v in r.get("statuses", {}).items():
            statuses[k] = statuses.get(k, 0) + v
    sock = sum(r.get("socket_errors", 0) for r in samples)
    total = samples[-1]["total"]
    bad = {k: v for k, v in statuses.items() if not 200 <= int(k) < 300}
    lines = [
        f"**Verdict** ({total:,} requests, {base['total']:,} of them warm-up; "
        f"server {'alive' if end.get('alive', 1) else '**died**'} at the end):",
        "",
        f"- RSS after warm-up → end: {base['rss_kb'] / 1024:.1f} → {last['rss_kb'] / 1024:.1f} MiB, "
        f"**{growth:+.1f} %** (bound: < 5 %: {'met' if growth < 5 else '**not met**'}); highest sample "
        f"{peak['rss_kb'] / 1024:.1f} MiB at {peak['total']:,} requests; VmHWM at the end "
        f"{end.get('hwm_kb', 0) / 1024:.1f} MiB.",
        f"- Open file descriptors after warm-up: min {min(fds)}, max {max(fds)} "
        f"({'flat' if max(fds) == min(fds) else 'not flat'}).",
    ]
    if pool:
        lines.append(f"- Database connections after warm-up: pool gauge min {min(pool)}, max {max(pool)}"
                     + (f"; seen ({end.get('seen_how', 'observed')}) min {min(seen)}, max {max(seen)}" if seen else "")
                     + f" ({'flat' if all(max(x) == min(x) for x in (pool, seen) if x) else 'not flat'}).")
    codes = ", ".join(f"{k}: {v:,}" for k, v in sorted(statuses.items()))
    lines.append(f"- Responses by status: {codes}; non-2xx {sum(bad.values()):,}, socket errors {sock:,}"
                 + (f"; non-2xx by route (orgd's `/metrics`): {end['non2xx_routes']}" if end.get("non2xx_routes")
                    else "") + ".")
    mix = {}
    for r in samples:
        for k, v in r.get("mix", {}).items():
            mix[k] = mix.get(k, 0) + v
    if mix:
        lines.append("- Requests sent by endpoint: " + ", ".join(f"{k} {v:,}" for k, v in
                                                                 sorted(mix.items(), key=lambda kv: -kv[1])) + ".")
    if end.get("note"):
        lines.append(f"- {end['note']}")
    return "\n".join(lines)


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    cmd, path = sys.argv[1], sys.argv[2]
    if cmd == "record":
        record(path, sys.argv[3:])
    elif cmd == "fact":
        append(path, parse_kv(sys.argv[3:]))
    elif cmd == "get":
        r = find(load(path), **parse_kv(sys.argv[3:-1]))
        print(r[sys.argv[-1]] if r else "")
    elif cmd == "table":
        print(tables(load(path)))
    elif cmd == "update":
        md, section = sys.argv[3], sys.argv[4]
        begin, end = f"<!-- bench:{section}:begin -->", f"<!-- bench:{section}:end -->"
        text = open(md).read()
        if begin not in text:
            text += f"\n{begin}\n{end}\n"
        head, _, rest = text.partition(begin)
        _, _, tail = rest.partition(end)
        with open(md, "w") as f:
            body = soak_tables(load(path)) if section == "soak" else tables(load(path))
            f.write(head + begin + "\n" + body + "\n" + end + tail)
    elif cmd == "soak-sample":
        soak_sample(path, sys.argv[3:])
    elif cmd == "non2xx-routes":
        print(non2xx_routes(sys.stdin.read()))
    elif cmd == "soak-table":
        print(soak_tables(load(path)))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
