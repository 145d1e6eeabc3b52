-- A deleted variant's change event must say which product it belonged to (search re-reads that
-- product); with the default replica identity a delete carries only the primary key.
alter table product_variants replica identity full;
