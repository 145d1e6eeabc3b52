-- Cancelling an order closes its kitchen work in the cancel's transaction: its tickets (open or
-- bumped) become 'cancelled' and their unserved items too, each stamped cancelled_at. A status of
-- its own, not a bump: screens drop a cancelled ticket instead of keeping it for recall, the open
-- listing never shows it, and it takes no bump, recall or item move (409). Served items stay
-- served: that food went out. (A new enum value cannot be used in the transaction that adds it,
-- so nothing here refers to it.)
alter type ticket_status add value 'cancelled';
alter type ticket_item_status add value 'cancelled';
alter table kitchen_tickets add column cancelled_at timestamptz;
alter table kitchen_ticket_items add column cancelled_at timestamptz;
