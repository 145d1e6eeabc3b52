/**
 * One search document = one published product with its variants folded in. Ids are decimal
 * strings (bigint). Prices are integer minor units of `currency` (the currency of the cheapest
 * active variant). `available` = Σ(on_hand − reserved) over the product's active variants and all
 * locations; `in_stock` = available > 0.
 */
export interface ProductDocument {
  id: string;
  merchant_id: string;
  name: string;
  description: string;
  brand: string | null;
  category: string | null;
  tags: string[];
  /** min price over active variants (what a shopper pays "from"); `min_price` is the same value */
  price: number;
  min_price: number;
  max_price: number;
  currency: string;
  in_stock: boolean;
  available: number;
  published: boolean;
  variant_count: number;
  /** ms since epoch of the product row's updated_at */
  updated_at: number;
}
