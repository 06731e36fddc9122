-- Outgoing e-mail. A message is written in the transaction of the change that causes it (an invitation, an
-- ownership transfer) and sent afterwards by the worker of `orgd serve`. Times are epoch milliseconds.
-- status: pending (waiting to be sent or retried, also while no SMTP server is configured), sent, failed (gave up;
-- `orgd outbox retry` puts it back), cancelled (the invitation was replaced, withdrawn or accepted before sending).
create table outbox (
    id integer primary key autoincrement,
    kind text not null,
    organization_id integer not null references organizations (id) on delete cascade,
    user_id integer not null references users (id) on delete cascade,
    recipient text not null,
    params text not null,
    status text not null,
    attempts integer not null default 0,
    next_attempt_ms integer not null,
    -- The node sending the message and until when its claim holds; a node that died mid-send loses it then.
    claimed_by text,
    claimed_until_ms integer,
    last_error text,
    created_ms integer not null,
    sent_ms integer
);

create index outbox_due on outbox (next_attempt_ms, id) where status = 'pending';
create index outbox_status on outbox (status, id);
-- Invitation messages of an organization in the last hour bound how many more it may send.
create index outbox_organization on outbox (organization_id, kind, created_ms);
create index outbox_user on outbox (user_id, organization_id);
