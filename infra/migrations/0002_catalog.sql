-- Catalog: products and their variants. Price is integer minor units plus currency.
create type product_status as enum ('draft', 'published', 'archived');

create table products (
  id            bigint generated always as identity primary key,
  merchant_id   bigint not null references merchants(id),
  name          text not null check (length(name) between 1 and 300),
  description   text not null default '',
  brand         text,
  category      text,
  tags          text[] not null default '{}',
  status        product_status not null default 'draft',
  -- code of the station that prepares it (grill, bar...); null = nothing to prepare (retail)
  station_code  text check (station_code ~ '^[a-z][a-z0-9_-]{0,31}$'),
  published_at  timestamptz,
  archived_at   timestamptz,
  created_at    timestamptz not null default now(),
  updated_at    timestamptz not null default now(),
  unique (merchant_id, id)
);
create index products_merchant_status on products (merchant_id, status, id);

create table product_variants (
  id            bigint generated always as identity primary key,
  merchant_id   bigint not null,
  product_id    bigint not null,
  sku           text not null check (sku ~ '^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$'),
  name          text not null default '',
  price_amount  bigint not null check (price_amount >= 0),
  currency      char(3) not null check (currency ~ '^[A-Z]{3}$'),
  active        boolean not null default true,
  created_at    timestamptz not null default now(),
  updated_at    timestamptz not null default now(),
  unique (merchant_id, id),
  unique (merchant_id, sku),
  foreign key (merchant_id, product_id) references products(merchant_id, id)
);
create index product_variants_product on product_variants (product_id);

create trigger products_updated_at before update on products for each row execute function set_updated_at();
create trigger product_variants_updated_at before update on product_variants for each row execute function set_updated_at();
