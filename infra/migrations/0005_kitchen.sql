-- Kitchen tickets: one per station that prepares items of an order. Each transition is stamped
-- (KDS timers are built on the timestamps).
create type ticket_status as enum ('open', 'bumped');
create type ticket_item_status as enum ('queued', 'preparing', 'ready', 'served');

create table kitchen_tickets (
  id           bigint generated always as identity primary key,
  merchant_id  bigint not null,
  branch_id    bigint not null,
  station_id   bigint not null,
  order_id     bigint not null,
  status       ticket_status not null default 'open',
  channel      order_channel not null,
  table_label  text,
  created_at   timestamptz not null default now(),
  updated_at   timestamptz not null default now(),
  bumped_at    timestamptz,
  recalled_at  timestamptz,
  unique (merchant_id, id),
  unique (order_id, station_id),
  foreign key (merchant_id, station_id) references stations(merchant_id, id),
  foreign key (merchant_id, branch_id) references branches(merchant_id, id),
  foreign key (merchant_id, order_id) references orders(merchant_id, id)
);
create index kitchen_tickets_open on kitchen_tickets (merchant_id, station_id, status, created_at);

-- branch, station and order are copied from the ticket so that a change event of one item is
-- routable to its topic on its own (cdc never needs a lookup to know where an item update goes).
create table kitchen_ticket_items (
  id            bigint generated always as identity primary key,
  merchant_id   bigint not null,
  ticket_id     bigint not null,
  branch_id     bigint not null,
  station_id    bigint not null,
  order_id      bigint not null,
  order_line_id bigint not null,
  name          text not null,
  quantity      integer not null check (quantity between 1 and 9999),
  note          text,
  modifiers     jsonb not null default '[]',
  status        ticket_item_status not null default 'queued',
  queued_at     timestamptz not null default now(),
  preparing_at  timestamptz,
  ready_at      timestamptz,
  served_at     timestamptz,
  updated_at    timestamptz not null default now(),
  unique (merchant_id, id),
  foreign key (merchant_id, ticket_id) references kitchen_tickets(merchant_id, id),
  foreign key (merchant_id, station_id) references stations(merchant_id, id),
  foreign key (merchant_id, order_id) references orders(merchant_id, id),
  foreign key (merchant_id, order_line_id) references order_lines(merchant_id, id)
);
create index kitchen_ticket_items_ticket on kitchen_ticket_items (ticket_id);

create trigger kitchen_tickets_updated_at before update on kitchen_tickets for each row execute function set_updated_at();
create trigger kitchen_ticket_items_updated_at before update on kitchen_ticket_items for each row execute function set_updated_at();
