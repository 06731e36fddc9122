-- PostgreSQL's notifications for the per-node read model (src/store/model/). On SQLite this process's writer is
-- the database's only one and keeps the model true by itself: nothing to add. (Both backends carry the same
-- migration names.)
select 1;
