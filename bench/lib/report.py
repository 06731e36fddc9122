#!/usr/bin/env python3
"""Collects bench/run's measurements (one JSON object a line) and prints the tables.

  report.py record RESULTS KEY=VALUE...  < wrk output   append one load measurement (parses the BENCH line)
  report.py fact RESULTS KEY=VALUE...                  append any other fact (sizes, RSS, timings)
  report.py get RESULTS KEY=VALUE... FIELD             print FIELD of the last record matching every KEY=VALUE
  report.py table RESULTS                              print the Markdown tables
  report.py update RESULTS MARKDOWN SECTION            replace a generated section of bench/RESULTS.md (the text
                                                       between <!-- bench:SECTION:begin --> and ...:end -->)
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
      + " | last/first (name) | DB on disk | RSS idle | RSS peak under load |")
    w("|---|---:|" + "---:|" * len(PAGING) + "---:|---:|---:|---:|")
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
          + f" | {growth} | {mib(b=s.get('db_bytes'))} | {mib(kb=s.get('rss_idle_kb'))} | "
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
    rows = []

    def row(name, values, ok):
        rows.append(f"| {name} | {'; '.join(values) if values else 'not measured'} | "
                    f"{('yes' if ok else '**no**') if values else '–'} |")

    vals, ok = [], True
    for backend, orgs in combos(recs):
        floor = find(recs, kind="load", backend=backend, orgs=orgs, endpoint="livez", mode="max")
        r = find(recs, kind="load", backend=backend, orgs=orgs, endpoint="get_org", mode="max")
        if floor and r:
            x = r["rps"] / floor["rps"]
            vals.append(f"{BACKENDS[backend]} {orgs:,}: {x:.2f}×")
            ok &= x >= 0.6
    row("GET organization ≥ 0.6 × `/livez`", vals, ok)
    vals, ok = [], True
    for backend, orgs in combos(recs):
        if backend != "sqlite":
            continue
        floor = find(recs, kind="load", backend=backend, orgs=orgs, endpoint="livez", mode="max")
        r = find(recs, kind="load", backend=backend, orgs=orgs, endpoint="patch_var", mode="max")
        if floor and r:
            x = r["rps"] / floor["rps"]
            vals.append(f"{orgs:,}: {x:.2f}×")
            ok &= x >= 0.2
    row("PATCH variable on SQLite ≥ 0.2 × `/livez`", vals, ok)
    vals, ok = [], True
    for backend, orgs in combos(recs):
        worst = None
        for ep, _ in ENDPOINTS:
            h = find(recs, kind="load", backend=backend, orgs=orgs, endpoint=ep, mode="half")
            if h and (worst is None or h["p99_us"] > worst[1]):
                worst = (ep, h["p99_us"])
        if worst:
            vals.append(f"{BACKENDS[backend]} {orgs:,}: worst {ms(worst[1])} ms ({worst[0]})")
            ok &= worst[1] <= 5000
    row("p99 ≤ 5 ms at half of the maximum load (every endpoint)", vals, ok)
    vals, ok = [], True
    if prism:
        for backend, orgs in combos(recs):
            r = find(recs, kind="load", backend=backend, orgs=orgs, endpoint="get_org", mode="max")
            if r:
                x = r["rps"] / prism["rps"]
                vals.append(f"{BACKENDS[backend]} {orgs:,}: {x:.1f}×")
                ok &= x >= 10
    row("GET organization ≥ 10 × Prism", vals, ok)
    vals, ok = [], True
    for backend, orgs in combos(recs):
        s = find(recs, kind="scale", backend=backend, orgs=orgs)
        if s and orgs >= 1_000_000:
            vals.append(f"{BACKENDS[backend]}: {mib(b=s['db_bytes'])}, RSS idle {mib(kb=s['rss_idle_kb'])}")
            ok &= s["db_bytes"] <= 2**30 and s["rss_idle_kb"] <= 64 * 1024
    if not vals:
        rows.append("| 1 000 000 organizations in ≤ 1 GiB of database, ≤ 64 MiB RSS idle | "
                    "not run (`bench/run --huge`) | – |")
    else:
        row("1 000 000 organizations in ≤ 1 GiB of database, ≤ 64 MiB RSS idle", vals, ok)
    return rows


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
            f.write(head + begin + "\n" + tables(load(path)) + "\n" + end + tail)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
