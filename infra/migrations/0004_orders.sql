-- Orders with trusted line snapshots (name, SKU, unit price copied from the catalog at creation)
-- and the stock reservations they hold.
create type order_status as enum ('created', 'paid', 'fulfilled', 'completed', 'cancelled');
create type order_channel as enum ('pos', 'online');

create table orders (
  id              bigint generated always as identity primary key,
  merchant_id     bigint not null,
  branch_id       bigint not null,
  location_id     bigint not null,
  channel         order_channel not null,
  status          order_status not null default 'created',
  table_label     text check (length(table_label) <= 40),
  customer_note   text check (length(customer_note) <= 1000),
  currency        char(3) not null check (currency ~ '^[A-Z]{3}$'),
  subtotal_amount bigint not null check (subtotal_amount >= 0),
  total_amount    bigint not null check (total_amount >= 0),
  -- the api enforces 1..100 lines; this is the backstop
  line_count      integer not null check (line_count between 1 and 100),
  created_by      bigint,
  created_at      timestamptz not null default now(),
  updated_at      timestamptz not null default now(),
  paid_at         timestamptz,
  fulfilled_at    timestamptz,
  completed_at    timestamptz,
  cancelled_at    timestamptz,
  unique (merchant_id, id),
  foreign key (merchant_id, branch_id) references branches(merchant_id, id),
  foreign key (merchant_id, location_id) references locations(merchant_id, id)
);
create index orders_branch_recent on orders (merchant_id, branch_id, id desc);

create table order_lines (
  id                bigint generated always as identity primary key,
  merchant_id       bigint not null,
  order_id          bigint not null,
  line_no           smallint not null check (line_no between 1 and 100),
  variant_id        bigint not null,
  product_id        bigint not null,
  product_name      text not null,
  variant_name      text not null,
  sku               text not null,
  unit_price_amount bigint not null check (unit_price_amount >= 0),
  currency          char(3) not null,
  quantity          integer not null check (quantity between 1 and 9999),
  line_total_amount bigint not null check (line_total_amount >= 0),
  station_code      text,
  note              text check (length(note) <= 500),
  modifiers         jsonb not null default '[]',
  unique (merchant_id, id),
  unique (order_id, line_no),
  foreign key (merchant_id, order_id) references orders(merchant_id, id),
  foreign key (merchant_id, variant_id) references product_variants(merchant_id, id)
);

create type reservation_status as enum ('active', 'released', 'committed');

create table reservations (
  id          bigint generated always as identity primary key,
  merchant_id bigint not null,
  order_id    bigint not null,
  variant_id  bigint not null,
  location_id bigint not null,
  quantity    integer not null check (quantity between 1 and 9999),
  status      reservation_status not null default 'active',
  created_at  timestamptz not null default now(),
  updated_at  timestamptz not null default now(),
  unique (merchant_id, id),
  foreign key (merchant_id, order_id) references orders(merchant_id, id),
  foreign key (merchant_id, variant_id) references product_variants(merchant_id, id),
  foreign key (merchant_id, location_id) references locations(merchant_id, id)
);
create index reservations_order on reservations (order_id);

alter table stock_movements
  add foreign key (merchant_id, order_id) references orders(merchant_id, id);

create trigger orders_updated_at before update on orders for each row execute function set_updated_at();
create trigger reservations_updated_at before update on reservations for each row execute function set_updated_at();
