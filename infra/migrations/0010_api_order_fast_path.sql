-- Order creation, second version (0009 stays as it landed; this replaces its two functions).
-- Measured under load: api_order_json looked lines up with `order_id = ... and merchant_id = ...`,
-- and the planner combined both indexes, so each call scanned every line of the merchant — cost
-- grew with the table. Lines are now found by order id alone (the order is the merchant's, checked
-- by the outer query), and the function is PL/pgSQL so its plan is cached per connection instead
-- of being planned on every call. api_create_order folds its stock pre-check into the snapshot
-- query (one statement fewer per order).

create or replace function api_order_json(p_merchant_id bigint, p_order_id bigint) returns jsonb
language plpgsql stable as $$
begin
  return (
    select jsonb_build_object(
      'id', o.id::text,
      'branch_id', o.branch_id::text,
      'location_id', o.location_id::text,
      'channel', o.channel,
      'status', o.status,
      'table_label', o.table_label,
      'customer_note', o.customer_note,
      'subtotal', jsonb_build_object('amount', o.subtotal_amount, 'currency', o.currency),
      'total', jsonb_build_object('amount', o.total_amount, 'currency', o.currency),
      'line_count', o.line_count,
      'created_by', o.created_by::text,
      'created_at', api_iso(o.created_at),
      'updated_at', api_iso(o.updated_at),
      'paid_at', api_iso(o.paid_at),
      'fulfilled_at', api_iso(o.fulfilled_at),
      'completed_at', api_iso(o.completed_at),
      'cancelled_at', api_iso(o.cancelled_at),
      'lines', (
        select coalesce(jsonb_agg(jsonb_build_object(
          'id', l.id::text,
          'line_no', l.line_no,
          'variant_id', l.variant_id::text,
          'product_id', l.product_id::text,
          'product_name', l.product_name,
          'variant_name', l.variant_name,
          'sku', l.sku,
          'unit_price', jsonb_build_object('amount', l.unit_price_amount, 'currency', l.currency),
          'quantity', l.quantity,
          'line_total', jsonb_build_object('amount', l.line_total_amount, 'currency', l.currency),
          'station_code', l.station_code,
          'note', l.note,
          'modifiers', l.modifiers
        ) order by l.line_no), '[]'::jsonb)
        from order_lines l where l.order_id = o.id
      )
    )
    from orders o where o.merchant_id = p_merchant_id and o.id = p_order_id
  );
end $$;

create or replace function api_create_order(
  p_merchant_id bigint,
  p_branch_id bigint,
  p_location_id bigint,
  p_channel order_channel,
  p_table_label text,
  p_customer_note text,
  p_created_by bigint,
  p_lines jsonb,
  p_idem_key text,
  p_idem_principal text,
  p_idem_path text,
  p_idem_hash text,
  out replayed boolean,
  out status integer,
  out body text
) language plpgsql as $$
#variable_conflict use_column
declare
  v_currency char(3);
  v_location bigint;
  v_order_id bigint;
  v_line_count integer;
  v_found integer;
  v_subtotal bigint;
  v_missing jsonb;
  v_unsellable jsonb;
  v_wrong_currency jsonb;
  v_visibly_short boolean;
  v_short bigint[] := '{}';
  v_detail jsonb;
  v_existing record;
  v_json jsonb;
  r record;
begin
  -- Taking the key row first: a concurrent duplicate blocks on the unique index until this
  -- transaction ends, then sees the finished record (or takes over if this one rolled back).
  if p_idem_key is not null then
    insert into idempotency_keys (merchant_id, key, principal, method, path, request_hash)
    values (p_merchant_id, p_idem_key, p_idem_principal, 'POST', p_idem_path, p_idem_hash)
    on conflict do nothing;
    if not found then
      select k.principal, k.method, k.path, k.request_hash, k.response_status, k.response_body into v_existing
      from idempotency_keys k where k.merchant_id = p_merchant_id and k.key = p_idem_key;
      if v_existing.request_hash is distinct from p_idem_hash or v_existing.principal is distinct from p_idem_principal
         or v_existing.method <> 'POST' or v_existing.path is distinct from p_idem_path then
        raise exception using errcode = 'CMIM0',
          message = 'this Idempotency-Key was already used with a different request',
          detail = '{"code":"idempotency.key_reused"}';
      end if;
      if v_existing.response_status is null then
        raise exception using errcode = 'CMCF0', message = 'a request with this Idempotency-Key is still in progress',
          detail = '{"code":"idempotency.in_progress"}';
      end if;
      replayed := true;
      status := v_existing.response_status;
      body := v_existing.response_body::text;
      return;
    end if;
  end if;

  select m.currency,
         case when p_location_id is null then
           (select l.id from locations l where l.merchant_id = p_merchant_id and l.branch_id = b.id order by l.id limit 1)
         else
           (select l.id from locations l where l.merchant_id = p_merchant_id and l.id = p_location_id)
         end
    into v_currency, v_location
  from merchants m join branches b on b.merchant_id = m.id and b.id = p_branch_id
  where m.id = p_merchant_id;
  if v_currency is null then
    raise exception using errcode = 'CMNF0', message = 'branch ' || p_branch_id || ' not found',
      detail = jsonb_build_object('code', 'order.branch_not_found', 'branch_id', p_branch_id::text)::text;
  end if;
  if v_location is null and p_location_id is not null then
    raise exception using errcode = 'CMNF0', message = 'location ' || p_location_id || ' not found',
      detail = jsonb_build_object('code', 'order.location_not_found', 'location_id', p_location_id::text)::text;
  end if;
  if v_location is null then
    raise exception using errcode = 'CMCF0', message = 'branch ' || p_branch_id || ' has no stock location',
      detail = jsonb_build_object('code', 'order.no_location', 'branch_id', p_branch_id::text)::text;
  end if;

  -- Trusted snapshots come from the catalog, never from the client. One pass checks that every
  -- variant exists for this merchant, is for sale and priced in the store's currency, totals, and
  -- notices stock that is visibly short (a flash sale's losers then leave without writing
  -- anything). That read decides nothing: the conditional UPDATEs below are what reserve.
  select count(*)::int,
         count(v.id)::int,
         coalesce(sum(v.price_amount * (e.value->>'quantity')::int), 0),
         jsonb_agg(e.value->>'variant_id') filter (where v.id is null),
         jsonb_agg(v.sku) filter (where v.id is not null and (not v.active or p.status <> 'published')),
         jsonb_agg(v.sku) filter (where v.id is not null and v.currency <> v_currency),
         bool_or(coalesce(il.available, 0) < (e.value->>'quantity')::int)
    into v_line_count, v_found, v_subtotal, v_missing, v_unsellable, v_wrong_currency, v_visibly_short
  from jsonb_array_elements(p_lines) e
  left join product_variants v on v.id = (e.value->>'variant_id')::bigint and v.merchant_id = p_merchant_id
  left join products p on p.id = v.product_id and p.merchant_id = p_merchant_id
  left join inventory_levels il on il.variant_id = v.id and il.location_id = v_location;
  if v_missing is not null then
    raise exception using errcode = 'CMNF0', message = 'variant not found: ' || (select string_agg(x, ', ') from jsonb_array_elements_text(v_missing) x),
      detail = jsonb_build_object('code', 'order.variant_not_found', 'variant_ids', v_missing)::text;
  end if;
  if v_unsellable is not null then
    raise exception using errcode = 'CMCF0', message = 'not for sale: ' || (select string_agg(x, ', ') from jsonb_array_elements_text(v_unsellable) x),
      detail = jsonb_build_object('code', 'order.not_for_sale', 'skus', v_unsellable)::text;
  end if;
  if v_wrong_currency is not null then
    raise exception using errcode = 'CMCF0', message = 'priced in another currency than ' || v_currency || ': ' || (select string_agg(x, ', ') from jsonb_array_elements_text(v_wrong_currency) x),
      detail = jsonb_build_object('code', 'order.currency_mismatch', 'skus', v_wrong_currency)::text;
  end if;

  if v_visibly_short then
    v_short := array(
      select q.variant_id from (select (e.value->>'variant_id')::bigint as variant_id, sum((e.value->>'quantity')::int) as qty
        from jsonb_array_elements(p_lines) e group by 1) q
      left join inventory_levels il on il.variant_id = q.variant_id and il.location_id = v_location
      where coalesce(il.available, 0) < q.qty);
  else
    insert into orders (merchant_id, branch_id, location_id, channel, table_label, customer_note, currency,
                        subtotal_amount, total_amount, line_count, created_by)
    values (p_merchant_id, p_branch_id, v_location, p_channel, p_table_label, p_customer_note, v_currency,
            v_subtotal, v_subtotal, v_line_count, p_created_by)
    returning id into v_order_id;

    -- Lines, one kitchen ticket per station that prepares any of them (the product's station code
    -- resolved to this branch's station; lines without a matching station get no ticket), the
    -- ticket items, and one reservation per line: all one statement.
    with req as (
      select e.ordinality::smallint as line_no,
             (e.value->>'variant_id')::bigint as variant_id,
             (e.value->>'quantity')::int as quantity,
             e.value->>'note' as note,
             coalesce(e.value->'modifiers', '[]'::jsonb) as modifiers
      from jsonb_array_elements(p_lines) with ordinality e
    ), lines as (
      insert into order_lines (merchant_id, order_id, line_no, variant_id, product_id, product_name, variant_name, sku,
                               unit_price_amount, currency, quantity, line_total_amount, station_code, note, modifiers)
      select p_merchant_id, v_order_id, req.line_no, v.id, p.id, p.name, v.name, v.sku,
             v.price_amount, v.currency, req.quantity, v.price_amount * req.quantity, p.station_code, req.note, req.modifiers
      from req
      join product_variants v on v.id = req.variant_id and v.merchant_id = p_merchant_id
      join products p on p.id = v.product_id and p.merchant_id = p_merchant_id
      returning id, station_code, product_name, variant_name, quantity, note, modifiers
    ), st as (
      select s.id, s.code from stations s
      where s.branch_id = p_branch_id and s.merchant_id = p_merchant_id
        and s.code in (select l.station_code from lines l where l.station_code is not null)
    ), tickets as (
      insert into kitchen_tickets (merchant_id, branch_id, station_id, order_id, channel, table_label)
      select p_merchant_id, p_branch_id, st.id, v_order_id, p_channel, p_table_label from st
      returning id, station_id
    ), items as (
      insert into kitchen_ticket_items (merchant_id, ticket_id, branch_id, station_id, order_id, order_line_id,
                                        name, quantity, note, modifiers)
      select p_merchant_id, t.id, p_branch_id, t.station_id, v_order_id, l.id,
             case when l.variant_name = '' then l.product_name else l.product_name || ' (' || l.variant_name || ')' end,
             l.quantity, l.note, l.modifiers
      from lines l join st on st.code = l.station_code join tickets t on t.station_id = st.id
      returning 1
    ), res as (
      insert into reservations (merchant_id, order_id, variant_id, location_id, quantity)
      select p_merchant_id, v_order_id, req.variant_id, v_location, req.quantity from req
      returning 1
    )
    select (select count(*) from items) + (select count(*) from res) into v_found;

    -- The reservation itself: one conditional UPDATE per SKU, in variant-id order so two orders
    -- never lock the same rows in opposite order. Reserving last keeps the hot rows locked only
    -- until the commit that follows.
    for r in
      select (e.value->>'variant_id')::bigint as variant_id, sum((e.value->>'quantity')::int)::int as qty
      from jsonb_array_elements(p_lines) e group by 1 order by 1
    loop
      update inventory_levels set reserved = reserved + r.qty
      where variant_id = r.variant_id and location_id = v_location and merchant_id = p_merchant_id
        and on_hand - reserved >= r.qty;
      if not found then
        v_short := v_short || r.variant_id;
      end if;
    end loop;
  end if;

  if cardinality(v_short) > 0 then
    select jsonb_agg(jsonb_build_object('sku', v.sku, 'variant_id', v.id::text, 'requested', q.qty,
                                        'available', coalesce(il.available, 0)) order by v.sku)
      into v_detail
    from (select (e.value->>'variant_id')::bigint as variant_id, sum((e.value->>'quantity')::int)::int as qty
          from jsonb_array_elements(p_lines) e group by 1) q
    join product_variants v on v.id = q.variant_id and v.merchant_id = p_merchant_id
    left join inventory_levels il on il.variant_id = q.variant_id and il.location_id = v_location
    where q.variant_id = any(v_short);
    raise exception using errcode = 'CMCF0',
      message = 'insufficient stock for ' || (select string_agg(x->>'sku', ', ') from jsonb_array_elements(v_detail) x),
      detail = jsonb_build_object('code', 'order.insufficient_stock', 'location_id', v_location::text, 'short', v_detail)::text;
  end if;

  v_json := api_order_json(p_merchant_id, v_order_id);
  if p_idem_key is not null then
    update idempotency_keys set response_status = 201, response_body = v_json, completed_at = now()
    where merchant_id = p_merchant_id and key = p_idem_key;
  end if;
  replayed := false;
  status := 201;
  body := v_json::text;
end $$;
