-- SQLite's audit log stores its uuids as 16 bytes here (issue 27: 1 000 000 organizations in 0.6 GiB; see
-- migrations/sqlite and src/store/compact.rs). PostgreSQL keeps its table as it is. (Both backends carry the same
-- migration names.)
select 1;
