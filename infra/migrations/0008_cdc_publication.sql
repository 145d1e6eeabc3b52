-- Change data capture: the publication both change sources read (pgoutput directly, and the
-- Debezium connector with publication.autocreate.mode=disabled). Idempotency records and staff
-- secrets are not business events and stay out.
-- REPLICA IDENTITY FULL where consumers need the before-image: stock crossings need the old
-- on_hand/reserved, order and ticket transitions need the old status.
alter table inventory_levels replica identity full;
alter table orders replica identity full;
alter table kitchen_tickets replica identity full;
alter table kitchen_ticket_items replica identity full;
alter table products replica identity full;

create publication commerce_cdc for table
  merchants, branches, stations, terminals,
  products, product_variants,
  locations, inventory_levels, stock_movements,
  orders, order_lines, reservations,
  kitchen_tickets, kitchen_ticket_items,
  payments;
