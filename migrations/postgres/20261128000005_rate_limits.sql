-- per-minute request counters shared by every node; unlogged: losing them in a crash only resets a minute
create unlogged table rate_counters (
    key text not null,
    minute bigint not null,
    count bigint not null,
    primary key (key, minute)
);
