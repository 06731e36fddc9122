-- SQLite serves a single node and keeps its per-minute request counters in memory; nothing to create.
select 1;
