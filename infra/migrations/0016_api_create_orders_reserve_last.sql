-- Order batches, second version (0015 stays as it landed; this replaces api_create_orders).
--
-- Reservations are conditional UPDATEs, as everywhere else (ARCHITECTURE: no read-then-write).
-- 0015 read the locked stock rows, allocated them in plpgsql and wrote the sums back; now one
-- UPDATE reserves the batch's whole demand on every row that still has it all, and only the rows
-- it could not cover (a flash sale's last units) are shared out order by order, in arrival order,
-- each order again by a conditional UPDATE; an order that misses one gives back what it took.
--
-- Stock is reserved last when what is committed covers the batch (the usual case): 0015 locked
-- the stock rows first and held them while it wrote every order, so concurrent batches queued
-- behind each other on the popular items (measured with the api bench: 2.3 of 3.6 busy backends
-- waiting on a row lock; 0.5 with the reservation last, and about 1.6x the orders per second in
-- the cost probe at 4 batches of 16 at once). If stock was taken meanwhile, the batch is undone
-- (CMRT0) and run again with p_lock_first.
--
-- Measured with the api bench: with an Idempotency-Key on every order, Postgres spent 2.3 ms per
-- order against 0.6 ms without keys. The key lookup's cached plan, made while idempotency_keys was
-- nearly empty, joined the batch's keys to the whole table (a hash over a full index scan, its
-- cost growing with every order). The lookup is now a LATERAL probe per key, which can only run as
-- an index probe per request, whatever the table's size at planning time. The responses are kept
-- as jsonb for the key rows instead of being rendered to text and parsed back.

-- Locks the given stock rows in (variant_id, location_id) order (every path takes them in that
-- order, so transactions never deadlock on them) and, with one conditional UPDATE, reserves each
-- row's quantity where the row still has it all. Returns the rows it could not cover.
create function api_reserve_demand(p_variant bigint[], p_location bigint[], p_qty int[], p_now timestamptz,
                                   out contested_variant bigint[], out contested_location bigint[])
language plpgsql set enable_seqscan = off as $$
begin
  perform 1
  from inventory_levels il
  where (il.variant_id, il.location_id) in (select * from unnest(p_variant, p_location))
  order by il.variant_id, il.location_id
  for no key update;

  with demand as (
    select * from unnest(p_variant, p_location, p_qty) d(variant_id, location_id, qty)
  ), took as (
    update inventory_levels il set reserved = il.reserved + d.qty, updated_at = p_now
    from demand d
    where il.variant_id = d.variant_id and il.location_id = d.location_id and il.on_hand - il.reserved >= d.qty
    returning il.variant_id, il.location_id
  )
  select array_agg(d.variant_id order by d.variant_id, d.location_id),
         array_agg(d.location_id order by d.variant_id, d.location_id)
    into contested_variant, contested_location
  from demand d
  where not exists (select 1 from took u where u.variant_id = d.variant_id and u.location_id = d.location_id);
end $$;

drop function api_create_orders(bigint, jsonb);

create function api_create_orders(p_merchant_id bigint, p_requests jsonb, p_lock_first boolean default false)
returns table (idx int, replayed boolean, status int, body text, error_state text, error_message text, error_detail text)
language plpgsql set enable_seqscan = off as $$
#variable_conflict use_column
declare
  v_now timestamptz := now();
  v_reqs api_order_request[];
  v_lines api_order_line[];
  v_n int;
  -- per request, indexed by idx
  r_status int[];
  r_replayed boolean[];
  r_body text[];
  r_json jsonb[];
  r_state text[];
  r_message text[];
  r_detail text[];
  r_follows int[];
  r_location bigint[];
  r_currency text[];
  r_order_id bigint[];
  -- the stock the orders ask for, per row (3b); the rows it could not cover (3c, 5), and what
  -- one order took of them (3d)
  d_variant bigint[];
  d_location bigint[];
  d_qty int[];
  v_lock_first boolean;
  c_variant bigint[];
  c_location bigint[];
  v_got_variant bigint[];
  v_got_qty int[];
  v_short jsonb;
  v_keys_expected int;
  v_keys_inserted int;
  v_leader api_order_request;
  r record;
  j int;
begin
  select array_agg(row(e.o::int, (e.x->>'branch_id')::bigint, (e.x->>'location_id')::bigint,
                       (e.x->>'channel')::order_channel, e.x->>'table_label', e.x->>'customer_note',
                       (e.x->>'created_by')::bigint, e.x->>'idem_key', e.x->>'idem_principal', e.x->>'idem_path',
                       e.x->>'idem_hash')::api_order_request order by e.o)
    into v_reqs
  from jsonb_array_elements(p_requests) with ordinality e(x, o);
  v_n := coalesce(cardinality(v_reqs), 0);
  if v_n = 0 then
    return;
  end if;
  r_status := array_fill(null::int, array[v_n]);
  r_replayed := array_fill(false, array[v_n]);
  r_body := array_fill(null::text, array[v_n]);
  r_json := array_fill(null::jsonb, array[v_n]);
  r_state := array_fill(null::text, array[v_n]);
  r_message := array_fill(null::text, array[v_n]);
  r_detail := array_fill(null::text, array[v_n]);
  r_follows := array_fill(null::int, array[v_n]);
  r_location := array_fill(null::bigint, array[v_n]);
  r_currency := array_fill(null::text, array[v_n]);
  r_order_id := array_fill(null::bigint, array[v_n]);

  -- 1. Idempotency-Key: finished keys replay; repeats inside the batch follow the first request.
  for r in
    select q.idx, q.idem_key, q.idem_principal, q.idem_path, q.idem_hash, k.key is not null as stored,
           k.principal, k.method, k.path, k.request_hash, k.response_status, k.response_body::text as response_body,
           min(q.idx) over (partition by q.idem_key) as leader
    from unnest(v_reqs) q
    left join lateral (
      select k.key, k.principal, k.method, k.path, k.request_hash, k.response_status, k.response_body
      from idempotency_keys k where k.merchant_id = p_merchant_id and k.key = q.idem_key
      offset 0
    ) k on true
    where q.idem_key is not null
  loop
    if r.stored then
      if r.request_hash is distinct from r.idem_hash or r.principal is distinct from r.idem_principal
         or r.method <> 'POST' or r.path is distinct from r.idem_path then
        r_state[r.idx] := 'CMIM0';
        r_message[r.idx] := 'this Idempotency-Key was already used with a different request';
        r_detail[r.idx] := '{"code":"idempotency.key_reused"}';
      else
        r_status[r.idx] := r.response_status;
        r_replayed[r.idx] := true;
        r_body[r.idx] := r.response_body;
      end if;
    elsif r.leader <> r.idx then
      v_leader := v_reqs[r.leader];
      if v_leader.idem_hash is distinct from r.idem_hash or v_leader.idem_principal is distinct from r.idem_principal
         or v_leader.idem_path is distinct from r.idem_path then
        r_state[r.idx] := 'CMIM0';
        r_message[r.idx] := 'this Idempotency-Key was already used with a different request';
        r_detail[r.idx] := '{"code":"idempotency.key_reused"}';
      else
        r_follows[r.idx] := r.leader;
      end if;
    end if;
  end loop;

  -- 2a. Branch and stock location (the merchant's currency prices the order).
  for r in
    select q.idx, q.branch_id, q.location_id, m.currency,
           case when q.location_id is null then
             (select l.id from locations l where l.merchant_id = p_merchant_id and l.branch_id = b.id order by l.id limit 1)
           else
             (select l.id from locations l where l.merchant_id = p_merchant_id and l.id = q.location_id)
           end as location
    from unnest(v_reqs) q
    left join branches b on b.merchant_id = p_merchant_id and b.id = q.branch_id
    left join merchants m on m.id = p_merchant_id and b.id is not null
    where r_state[q.idx] is null and r_status[q.idx] is null and r_follows[q.idx] is null
  loop
    if r.currency is null then
      r_state[r.idx] := 'CMNF0';
      r_message[r.idx] := 'branch ' || r.branch_id || ' not found';
      r_detail[r.idx] := jsonb_build_object('code', 'order.branch_not_found', 'branch_id', r.branch_id::text)::text;
    elsif r.location is null and r.location_id is not null then
      r_state[r.idx] := 'CMNF0';
      r_message[r.idx] := 'location ' || r.location_id || ' not found';
      r_detail[r.idx] := jsonb_build_object('code', 'order.location_not_found', 'location_id', r.location_id::text)::text;
    elsif r.location is null then
      r_state[r.idx] := 'CMCF0';
      r_message[r.idx] := 'branch ' || r.branch_id || ' has no stock location';
      r_detail[r.idx] := jsonb_build_object('code', 'order.no_location', 'branch_id', r.branch_id::text)::text;
    else
      r_location[r.idx] := r.location;
      r_currency[r.idx] := r.currency;
    end if;
  end loop;

  -- 2b. Trusted snapshots from the catalog (one index probe per line), for the orders still going.
  select array_agg(row(e.o::int, l.lo::smallint, l.x->>'variant_id', v.id, (l.x->>'quantity')::int, l.x->>'note',
                       coalesce(l.x->'modifiers', '[]'::jsonb), p.id, p.name, v.name, v.sku, v.price_amount, v.currency,
                       p.station_code, v.active and p.status = 'published', null)::api_order_line
                   order by e.o, l.lo)
    into v_lines
  from jsonb_array_elements(p_requests) with ordinality e(x, o)
  cross join jsonb_array_elements(e.x->'lines') with ordinality l(x, lo)
  left join product_variants v on v.id = (l.x->>'variant_id')::bigint and v.merchant_id = p_merchant_id
  left join products p on p.id = v.product_id and p.merchant_id = p_merchant_id
  where r_location[e.o::int] is not null;

  for r in
    select l.req,
           jsonb_agg(l.requested_id order by l.line_no) filter (where l.variant_id is null) as missing,
           jsonb_agg(l.sku order by l.line_no) filter (where l.variant_id is not null and not l.sellable) as unsellable,
           jsonb_agg(l.sku order by l.line_no) filter (where l.variant_id is not null and l.currency <> r_currency[l.req]) as wrong_currency
    from unnest(v_lines) l
    group by l.req
    having bool_or(l.variant_id is null or not l.sellable or l.currency <> r_currency[l.req])
  loop
    if r.missing is not null then
      r_state[r.req] := 'CMNF0';
      r_message[r.req] := 'variant not found: ' || (select string_agg(x, ', ') from jsonb_array_elements_text(r.missing) x);
      r_detail[r.req] := jsonb_build_object('code', 'order.variant_not_found', 'variant_ids', r.missing)::text;
    elsif r.unsellable is not null then
      r_state[r.req] := 'CMCF0';
      r_message[r.req] := 'not for sale: ' || (select string_agg(x, ', ') from jsonb_array_elements_text(r.unsellable) x);
      r_detail[r.req] := jsonb_build_object('code', 'order.not_for_sale', 'skus', r.unsellable)::text;
    else
      r_state[r.req] := 'CMCF0';
      r_message[r.req] := 'priced in another currency than ' || r_currency[r.req] || ': '
        || (select string_agg(x, ', ') from jsonb_array_elements_text(r.wrong_currency) x);
      r_detail[r.req] := jsonb_build_object('code', 'order.currency_mismatch', 'skus', r.wrong_currency)::text;
    end if;
    r_location[r.req] := null;
  end loop;

  -- 3a. Visibly short (a flash sale's losers): refused on what is committed now, before any lock.
  for r in
    select d.req, jsonb_agg(jsonb_build_object('sku', d.sku, 'variant_id', d.variant_id::text, 'requested', d.qty,
                                               'available', coalesce(il.available, 0)) order by d.sku) as short
    from (select l.req, l.variant_id, min(l.sku) as sku, sum(l.quantity)::int as qty
          from unnest(v_lines) l where r_location[l.req] is not null group by 1, 2) d
    left join inventory_levels il on il.variant_id = d.variant_id and il.location_id = r_location[d.req]
    where coalesce(il.available, 0) < d.qty
    group by d.req
  loop
    r_state[r.req] := 'CMCF0';
    r_message[r.req] := 'insufficient stock for ' || (select string_agg(x->>'sku', ', ') from jsonb_array_elements(r.short) x);
    r_detail[r.req] := jsonb_build_object('code', 'order.insufficient_stock', 'location_id', r_location[r.req]::text,
                                          'short', r.short)::text;
    r_location[r.req] := null;
  end loop;

  -- 3b. What the remaining orders ask of each stock row, and how to reserve it. When what is
  -- committed now covers it all (the usual case), the orders are written first and the stock is
  -- reserved last, so the hot stock rows stay locked only for the end of the transaction. When it
  -- does not (a flash sale's last units), or on a retry, the stock is reserved first and shared out
  -- before anything is written.
  select array_agg(d.variant_id order by d.variant_id, d.location_id),
         array_agg(d.location_id order by d.variant_id, d.location_id),
         array_agg(d.qty order by d.variant_id, d.location_id)
    into d_variant, d_location, d_qty
  from (select l.variant_id, r_location[l.req] as location_id, sum(l.quantity)::int as qty
        from unnest(v_lines) l where r_location[l.req] is not null group by 1, 2) d;
  v_lock_first := p_lock_first or exists (
    select 1 from unnest(d_variant, d_location, d_qty) d(variant_id, location_id, qty)
    left join inventory_levels il on il.variant_id = d.variant_id and il.location_id = d.location_id
    where coalesce(il.available, 0) < d.qty);

  if v_lock_first then
    -- 3c. Reserve the whole demand on every row that still has it all; the rest are contested.
    select c.contested_variant, c.contested_location into c_variant, c_location
    from api_reserve_demand(d_variant, d_location, d_qty, v_now) c;

    -- 3d. Contested rows (a flash sale's last units): the orders that need them go in arrival order,
    -- each reserving its quantities on those rows with one conditional UPDATE. An order that does not
    -- get every one of them gives back what it took (there and in 3c) and gets its own 409, naming
    -- the short SKUs with what is left of each.
    if cardinality(c_variant) > 0 then
      for r in
        select d.req, array_agg(d.variant_id order by d.variant_id) as variants, array_agg(d.qty order by d.variant_id) as qty
        from (select l.req, l.variant_id, sum(l.quantity)::int as qty
              from unnest(v_lines) l
              join unnest(c_variant, c_location) c(variant_id, location_id)
                on c.variant_id = l.variant_id and c.location_id = r_location[l.req]
              group by 1, 2) d
        group by d.req order by d.req
      loop
        with wanted as (
          select * from unnest(r.variants, r.qty) w(variant_id, qty)
        ), taken as (
          update inventory_levels il set reserved = il.reserved + w.qty, updated_at = v_now
          from wanted w
          where il.variant_id = w.variant_id and il.location_id = r_location[r.req] and il.on_hand - il.reserved >= w.qty
          returning il.variant_id, w.qty
        )
        select array_agg(t.variant_id), array_agg(t.qty) into v_got_variant, v_got_qty from taken t;

        if coalesce(cardinality(v_got_variant), 0) < cardinality(r.variants) then
          -- give back: what it took here, and its share of the rows 3c reserved for every order
          update inventory_levels il set reserved = il.reserved - g.qty, updated_at = v_now
          from (select l.variant_id, sum(l.quantity)::int as qty from unnest(v_lines) l where l.req = r.req
                and (l.variant_id = any(coalesce(v_got_variant, '{}')) or not l.variant_id = any(r.variants))
                group by 1) g
          where il.variant_id = g.variant_id and il.location_id = r_location[r.req];

          select jsonb_agg(jsonb_build_object('sku', s.sku, 'variant_id', s.variant_id::text, 'requested', s.qty,
                                              'available', coalesce(il.available, 0)) order by s.sku)
            into v_short
          from (select min(l.sku) as sku, l.variant_id, sum(l.quantity)::int as qty
                from unnest(v_lines) l where l.req = r.req group by l.variant_id) s
          left join inventory_levels il on il.variant_id = s.variant_id and il.location_id = r_location[r.req]
          where s.variant_id = any(r.variants) and not s.variant_id = any(coalesce(v_got_variant, '{}'));
          r_state[r.req] := 'CMCF0';
          r_message[r.req] := 'insufficient stock for ' || (select string_agg(x->>'sku', ', ') from jsonb_array_elements(v_short) x);
          r_detail[r.req] := jsonb_build_object('code', 'order.insufficient_stock', 'location_id', r_location[r.req]::text,
                                                'short', v_short)::text;
          r_location[r.req] := null;
        end if;
      end loop;
    end if;
  end if;

  -- 4. Write what was decided. Ids come from the tables' own identity sequences, drawn in line
  -- order, so that each row can be referenced before it is inserted.
  select array_agg(row(l.req, l.line_no, l.requested_id, l.variant_id, l.quantity, l.note, l.modifiers, l.product_id,
                       l.product_name, l.variant_name, l.sku, l.price_amount, l.currency, l.station_code, l.sellable,
                       nextval('order_lines_id_seq'))::api_order_line order by l.req, l.line_no)
    into v_lines
  from (select * from unnest(v_lines) l where r_location[l.req] is not null order by l.req, l.line_no offset 0) l;

  for r in
    select q.idx, nextval('orders_id_seq') as id
    from (select q.idx from unnest(v_reqs) q where r_location[q.idx] is not null order by q.idx offset 0) q
  loop
    r_order_id[r.idx] := r.id;
  end loop;

  insert into orders (id, merchant_id, branch_id, location_id, channel, table_label, customer_note, currency,
                      subtotal_amount, total_amount, line_count, created_by, created_at, updated_at)
  overriding system value
  select r_order_id[q.idx], p_merchant_id, q.branch_id, r_location[q.idx], q.channel, q.table_label, q.customer_note,
         r_currency[q.idx], t.subtotal, t.subtotal, t.line_count, q.created_by, v_now, v_now
  from unnest(v_reqs) q
  join (select l.req, sum(l.price_amount * l.quantity) as subtotal, count(*)::int as line_count
        from unnest(v_lines) l group by l.req) t on t.req = q.idx
  order by q.idx;

  insert into order_lines (id, merchant_id, order_id, line_no, variant_id, product_id, product_name, variant_name, sku,
                           unit_price_amount, currency, quantity, line_total_amount, station_code, note, modifiers)
  overriding system value
  select l.line_id, p_merchant_id, r_order_id[l.req], l.line_no, l.variant_id, l.product_id, l.product_name,
         l.variant_name, l.sku, l.price_amount, l.currency, l.quantity, l.price_amount * l.quantity, l.station_code,
         l.note, l.modifiers
  from unnest(v_lines) l;

  -- one ticket per order and station that prepares any of its lines (the product's station code
  -- resolved to the order branch's station; lines without one get no ticket), then the items
  with st as (
    select t.req, t.station_id, nextval('kitchen_tickets_id_seq') as ticket_id
    from (select distinct l.req, s.id as station_id
          from unnest(v_lines) l
          join stations s on s.merchant_id = p_merchant_id and s.branch_id = (v_reqs[l.req]).branch_id
                         and s.code = l.station_code
          order by 1, 2 offset 0) t
  ), tickets as (
    insert into kitchen_tickets (id, merchant_id, branch_id, station_id, order_id, channel, table_label, created_at, updated_at)
    overriding system value
    select st.ticket_id, p_merchant_id, (v_reqs[st.req]).branch_id, st.station_id, r_order_id[st.req],
           (v_reqs[st.req]).channel, (v_reqs[st.req]).table_label, v_now, v_now
    from st
    returning 1
  )
  insert into kitchen_ticket_items (merchant_id, ticket_id, branch_id, station_id, order_id, order_line_id,
                                    name, quantity, note, modifiers, queued_at, updated_at)
  select p_merchant_id, st.ticket_id, (v_reqs[l.req]).branch_id, st.station_id, r_order_id[l.req], l.line_id,
         case when l.variant_name = '' then l.product_name else l.product_name || ' (' || l.variant_name || ')' end,
         l.quantity, l.note, l.modifiers, v_now, v_now
  from unnest(v_lines) l
  join stations s on s.merchant_id = p_merchant_id and s.branch_id = (v_reqs[l.req]).branch_id and s.code = l.station_code
  join st on st.req = l.req and st.station_id = s.id
  order by l.line_id;

  -- the responses: the same shape as api_order_json, from what was just written
  for r in
    select q.idx, jsonb_build_object(
      'id', r_order_id[q.idx]::text,
      'branch_id', q.branch_id::text,
      'location_id', r_location[q.idx]::text,
      'channel', q.channel,
      'status', 'created',
      'table_label', q.table_label,
      'customer_note', q.customer_note,
      'subtotal', jsonb_build_object('amount', t.subtotal, 'currency', r_currency[q.idx]),
      'total', jsonb_build_object('amount', t.subtotal, 'currency', r_currency[q.idx]),
      'line_count', t.line_count,
      'created_by', q.created_by::text,
      'created_at', api_iso(v_now),
      'updated_at', api_iso(v_now),
      'paid_at', null,
      'fulfilled_at', null,
      'completed_at', null,
      'cancelled_at', null,
      'lines', t.lines) as body
    from unnest(v_reqs) q
    join (select l.req, sum(l.price_amount * l.quantity) as subtotal, count(*)::int as line_count,
                 jsonb_agg(jsonb_build_object(
                   'id', l.line_id::text,
                   'line_no', l.line_no,
                   'variant_id', l.variant_id::text,
                   'product_id', l.product_id::text,
                   'product_name', l.product_name,
                   'variant_name', l.variant_name,
                   'sku', l.sku,
                   'unit_price', jsonb_build_object('amount', l.price_amount, 'currency', l.currency),
                   'quantity', l.quantity,
                   'line_total', jsonb_build_object('amount', l.price_amount * l.quantity, 'currency', l.currency),
                   'station_code', l.station_code,
                   'note', l.note,
                   'modifiers', l.modifiers) order by l.line_no) as lines
          from unnest(v_lines) l group by l.req) t on t.req = q.idx
  loop
    r_status[r.idx] := 201;
    r_json[r.idx] := r.body;
    r_body[r.idx] := r.body::text;
  end loop;

  -- Key rows, with their responses, last. One that a concurrent transaction committed meanwhile
  -- makes this insert wait for it and skip the row: the batch is undone (CMRP0) and the api
  -- retries each request alone.
  select count(*) into v_keys_expected
  from unnest(v_reqs) q where q.idem_key is not null and r_order_id[q.idx] is not null;
  if v_keys_expected > 0 then
    insert into idempotency_keys (merchant_id, key, principal, method, path, request_hash, response_status,
                                  response_body, completed_at)
    select p_merchant_id, q.idem_key, q.idem_principal, 'POST', q.idem_path, q.idem_hash, 201, r_json[q.idx], v_now
    from unnest(v_reqs) q where q.idem_key is not null and r_order_id[q.idx] is not null
    on conflict do nothing;
    get diagnostics v_keys_inserted = row_count;
    if v_keys_inserted < v_keys_expected then
      raise exception using errcode = 'CMRP0', message = 'a concurrent request with an Idempotency-Key of this batch finished first',
        detail = '{"code":"idempotency.replay"}';
    end if;
  end if;

  -- 5. Reserve now, unless 3 did: every row must still have the whole demand (a concurrent order
  -- may have taken stock since the check in 3b). One that does not undoes the batch (CMRT0) and
  -- the api runs it again with p_lock_first, which shares out the contested rows in arrival order.
  if not v_lock_first then
    select c.contested_variant, c.contested_location into c_variant, c_location
    from api_reserve_demand(d_variant, d_location, d_qty, v_now) c;
    if cardinality(c_variant) > 0 then
      raise exception using errcode = 'CMRT0', message = 'stock was taken while the batch was written; retry locking first',
        detail = '{"code":"order.batch_contested"}';
    end if;
  end if;

  -- after the UPDATE: each reservation's reference to its stock row finds a row this transaction
  -- already holds
  insert into reservations (merchant_id, order_id, variant_id, location_id, quantity, created_at, updated_at)
  select p_merchant_id, r_order_id[l.req], l.variant_id, r_location[l.req], l.quantity, v_now, v_now
  from unnest(v_lines) l;

  -- repeats inside the batch answer as their first request did
  for j in 1 .. v_n loop
    if r_follows[j] is not null then
      r_status[j] := r_status[r_follows[j]];
      r_replayed[j] := r_status[j] = 201;
      r_body[j] := r_body[r_follows[j]];
      r_state[j] := r_state[r_follows[j]];
      r_message[j] := r_message[r_follows[j]];
      r_detail[j] := r_detail[r_follows[j]];
    end if;
  end loop;

  return query
  select g.j, r_replayed[g.j], r_status[g.j], r_body[g.j], r_state[g.j], r_message[g.j], r_detail[g.j]
  from generate_series(1, v_n) g(j);
end $$;
