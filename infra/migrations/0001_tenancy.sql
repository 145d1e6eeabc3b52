-- Tenancy: merchants (tenants), their branches, kitchen stations, staff and devices.
-- Every business row carries merchant_id; composite foreign keys (merchant_id, id) make it
-- impossible to attach a row of one merchant to another merchant's parent.

create function set_updated_at() returns trigger language plpgsql as $$
begin
  new.updated_at := now();
  return new;
end $$;

create table merchants (
  id          bigint generated always as identity primary key,
  slug        text not null unique check (slug ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
  name        text not null check (length(name) between 1 and 200),
  currency    char(3) not null default 'USD' check (currency ~ '^[A-Z]{3}$'),
  created_at  timestamptz not null default now(),
  updated_at  timestamptz not null default now()
);

create table branches (
  id          bigint generated always as identity primary key,
  merchant_id bigint not null references merchants(id),
  name        text not null check (length(name) between 1 and 200),
  timezone    text not null default 'UTC',
  created_at  timestamptz not null default now(),
  updated_at  timestamptz not null default now(),
  unique (merchant_id, id)
);

-- A station prepares items (grill, fry, bar, expo...). Products name the station code; an order
-- placed at a branch routes each line to that branch's station with the code.
create table stations (
  id          bigint generated always as identity primary key,
  merchant_id bigint not null,
  branch_id   bigint not null,
  code        text not null check (code ~ '^[a-z][a-z0-9_-]{0,31}$'),
  name        text not null,
  created_at  timestamptz not null default now(),
  updated_at  timestamptz not null default now(),
  unique (merchant_id, id),
  unique (branch_id, code),
  foreign key (merchant_id, branch_id) references branches(merchant_id, id)
);

create type staff_role as enum ('owner', 'manager', 'cashier', 'kitchen', 'stock_clerk', 'terminal');

create table staff_users (
  id          bigint generated always as identity primary key,
  merchant_id bigint not null references merchants(id),
  email       text not null check (position('@' in email) > 1),
  name        text not null,
  roles       staff_role[] not null check (cardinality(roles) > 0),
  -- empty = all branches of the merchant
  branch_ids  bigint[] not null default '{}',
  pin_hash    text,
  active      boolean not null default true,
  created_at  timestamptz not null default now(),
  updated_at  timestamptz not null default now(),
  unique (merchant_id, id),
  unique (merchant_id, email)
);

create type terminal_kind as enum ('pos', 'kds', 'stock_feed', 'staff');

-- A paired device. Its tokens name it; revoking it ends its sessions.
create table terminals (
  id            bigint generated always as identity primary key,
  merchant_id   bigint not null references merchants(id),
  branch_id     bigint,
  kind          terminal_kind not null,
  name          text not null,
  station_ids   bigint[] not null default '{}',
  paired_by     bigint,
  revoked_at    timestamptz,
  last_seen_at  timestamptz,
  created_at    timestamptz not null default now(),
  updated_at    timestamptz not null default now(),
  unique (merchant_id, id),
  foreign key (merchant_id, branch_id) references branches(merchant_id, id),
  foreign key (merchant_id, paired_by) references staff_users(merchant_id, id)
);

create trigger merchants_updated_at before update on merchants for each row execute function set_updated_at();
create trigger branches_updated_at before update on branches for each row execute function set_updated_at();
create trigger stations_updated_at before update on stations for each row execute function set_updated_at();
create trigger staff_users_updated_at before update on staff_users for each row execute function set_updated_at();
create trigger terminals_updated_at before update on terminals for each row execute function set_updated_at();
