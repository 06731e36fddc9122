-- one subscription per organization (its latest state) and one payment per paid period or plan change
create table subscriptions (
    id integer primary key autoincrement,
    organization_id integer not null unique references organizations (id) on delete cascade,
    price_id text not null,
    plan text not null,
    status text not null,
    customer text,
    coupon_code text,
    checkout_session text unique,
    period_from text not null,
    period_to text not null,
    created_at text not null,
    updated_at text not null
);

create table payments (
    id integer primary key autoincrement,
    organization_id integer not null references organizations (id) on delete cascade,
    type_name text not null,
    price_id text not null,
    plan text not null,
    product_name text not null,
    amount integer not null,
    currency text not null,
    period_from text not null,
    period_to text not null,
    created_at text not null
);

create index payments_organization on payments (organization_id, created_at);
