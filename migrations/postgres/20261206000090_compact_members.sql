-- SQLite's memberships became `without rowid` with integer creation times here (issue 27: 1 000 000 organizations
-- in 0.6 GiB; see migrations/sqlite and src/store/compact.rs). PostgreSQL keeps its tables as they are. (Both
-- backends carry the same migration names.)
select 1;
