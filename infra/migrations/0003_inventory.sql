-- Inventory: stock per SKU (variant) per location, an append-only movements ledger, and
-- reservations held by orders. available = on_hand - reserved, and it can never go negative:
-- a reservation is one conditional UPDATE that the check constraints back up.
create table locations (
  id          bigint generated always as identity primary key,
  merchant_id bigint not null references merchants(id),
  branch_id   bigint,
  name        text not null,
  kind        text not null default 'store' check (kind in ('store', 'warehouse', 'kitchen')),
  created_at  timestamptz not null default now(),
  updated_at  timestamptz not null default now(),
  unique (merchant_id, id),
  foreign key (merchant_id, branch_id) references branches(merchant_id, id)
);

create table inventory_levels (
  id                  bigint generated always as identity primary key,
  merchant_id         bigint not null,
  variant_id          bigint not null,
  location_id         bigint not null,
  on_hand             integer not null default 0 check (on_hand >= 0),
  reserved            integer not null default 0 check (reserved >= 0),
  -- generated columns are not replicated (pgoutput before PG 18, Debezium): consumers recompute it
  available           integer generated always as (on_hand - reserved) stored,
  low_stock_threshold integer not null default 0 check (low_stock_threshold >= 0),
  created_at          timestamptz not null default now(),
  updated_at          timestamptz not null default now(),
  constraint inventory_levels_reserved_within_on_hand check (reserved <= on_hand),
  unique (merchant_id, id),
  unique (variant_id, location_id),
  foreign key (merchant_id, variant_id) references product_variants(merchant_id, id),
  foreign key (merchant_id, location_id) references locations(merchant_id, id)
);
create index inventory_levels_merchant_variant on inventory_levels (merchant_id, variant_id);

create type movement_reason as enum (
  'receipt', 'sale', 'return', 'adjustment', 'transfer_out', 'transfer_in', 'count', 'damage'
);

-- Every change of on_hand is one row here. Rows are never updated or deleted.
create table stock_movements (
  id            bigint generated always as identity primary key,
  merchant_id   bigint not null,
  variant_id    bigint not null,
  location_id   bigint not null,
  reason        movement_reason not null,
  -- signed change of on_hand
  quantity      integer not null,
  on_hand_after integer not null check (on_hand_after >= 0),
  order_id      bigint,
  transfer_id   uuid,
  note          text,
  actor_id      bigint,
  created_at    timestamptz not null default now(),
  unique (merchant_id, id),
  foreign key (merchant_id, variant_id) references product_variants(merchant_id, id),
  foreign key (merchant_id, location_id) references locations(merchant_id, id)
);
create index stock_movements_lookup on stock_movements (merchant_id, variant_id, id desc);

create function stock_movements_append_only() returns trigger language plpgsql as $$
begin
  raise exception 'stock_movements is append-only (% refused)', tg_op using errcode = 'restrict_violation';
end $$;
create trigger stock_movements_no_update before update or delete on stock_movements
  for each row execute function stock_movements_append_only();
create trigger stock_movements_no_truncate before truncate on stock_movements
  for each statement execute function stock_movements_append_only();

create trigger locations_updated_at before update on locations for each row execute function set_updated_at();
create trigger inventory_levels_updated_at before update on inventory_levels for each row execute function set_updated_at();
