-- Idempotency-Key records: a repeat with the same key and body returns the first response.
create table idempotency_keys (
  merchant_id     bigint not null references merchants(id),
  key             text not null check (length(key) between 1 and 255),
  principal       text not null,
  method          text not null,
  path            text not null,
  request_hash    text not null,
  response_status integer,
  response_body   jsonb,
  created_at      timestamptz not null default now(),
  completed_at    timestamptz,
  primary key (merchant_id, key)
);
create index idempotency_keys_created on idempotency_keys (created_at);
