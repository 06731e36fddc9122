-- On PostgreSQL this migration adds the triggers that tell every node to drop its cached tokens and memberships.
-- SQLite serves one node and keeps no such cache (its reads are cheap; see src/store/sqlite/hot.rs): nothing to
-- do here but keep the two migration lists in step.
select 1;
