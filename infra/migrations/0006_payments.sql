-- Payments through a (simulated) provider. succeeded and failed are terminal.
create type payment_status as enum ('pending', 'succeeded', 'failed');

create table payments (
  id             bigint generated always as identity primary key,
  merchant_id    bigint not null,
  order_id       bigint not null,
  amount         bigint not null check (amount > 0),
  currency       char(3) not null check (currency ~ '^[A-Z]{3}$'),
  status         payment_status not null default 'pending',
  provider       text not null default 'simulated',
  provider_ref   text,
  failure_reason text,
  created_at     timestamptz not null default now(),
  updated_at     timestamptz not null default now(),
  unique (merchant_id, id),
  foreign key (merchant_id, order_id) references orders(merchant_id, id)
);
create index payments_order on payments (order_id);

create trigger payments_updated_at before update on payments for each row execute function set_updated_at();
