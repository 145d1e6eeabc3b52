import type { ProductDocument } from '../document.ts';

/**
 * A demo-like restaurant + shop catalog for relevance, contract and browser tests: names that
 * share words (chicken burger / chicken wings / veggie burger), near-miss spellings and products
 * whose description mentions another product's name.
 */
export interface DemoProduct {
  name: string;
  description: string;
  brand: string | null;
  category: string;
  tags: string[];
  prices: number[];
  stock: number;
}

export const DEMO_PRODUCTS: DemoProduct[] = [
  {
    name: 'Chicken Burger',
    description: 'Crispy chicken breast, lettuce, mayo',
    brand: 'Grill House',
    category: 'Burgers',
    tags: ['chicken', 'bestseller'],
    prices: [950, 1250],
    stock: 40,
  },
  {
    name: 'Cheeseburger',
    description: 'Beef patty with cheddar',
    brand: 'Grill House',
    category: 'Burgers',
    tags: ['beef'],
    prices: [890],
    stock: 35,
  },
  {
    name: 'Veggie Burger',
    description: 'Black bean patty, avocado',
    brand: 'Green Kitchen',
    category: 'Burgers',
    tags: ['vegetarian'],
    prices: [920],
    stock: 20,
  },
  {
    name: 'Double Bacon Burger',
    description: 'Two beef patties, smoked bacon',
    brand: 'Grill House',
    category: 'Burgers',
    tags: ['beef', 'pork'],
    prices: [1390],
    stock: 0,
  },
  {
    name: 'Chicken Wings',
    description: 'Six wings with hot sauce, great with a chicken burger',
    brand: 'Grill House',
    category: 'Sides',
    tags: ['chicken', 'spicy'],
    prices: [690, 1190],
    stock: 50,
  },
  {
    name: 'Chicken Caesar Wrap',
    description: 'Grilled chicken, romaine, parmesan',
    brand: 'Green Kitchen',
    category: 'Wraps',
    tags: ['chicken'],
    prices: [850],
    stock: 15,
  },
  {
    name: 'Margherita Pizza',
    description: 'Tomato, mozzarella, basil',
    brand: 'Forno Rosso',
    category: 'Pizza',
    tags: ['vegetarian', 'classic'],
    prices: [1100, 1500],
    stock: 25,
  },
  {
    name: 'Pepperoni Pizza',
    description: 'Tomato, mozzarella, pepperoni',
    brand: 'Forno Rosso',
    category: 'Pizza',
    tags: ['pork', 'classic'],
    prices: [1250, 1650],
    stock: 25,
  },
  {
    name: 'Marinara Pizza',
    description: 'Tomato, garlic, oregano',
    brand: 'Forno Rosso',
    category: 'Pizza',
    tags: ['vegan'],
    prices: [990],
    stock: 10,
  },
  {
    name: 'Four Cheese Pizza',
    description: 'Mozzarella, gorgonzola, parmesan, fontina',
    brand: 'Forno Rosso',
    category: 'Pizza',
    tags: ['vegetarian'],
    prices: [1350],
    stock: 8,
  },
  {
    name: 'Caesar Salad',
    description: 'Romaine, croutons, parmesan',
    brand: 'Green Kitchen',
    category: 'Salads',
    tags: ['vegetarian'],
    prices: [780],
    stock: 12,
  },
  {
    name: 'Greek Salad',
    description: 'Feta, olives, cucumber, tomato',
    brand: 'Green Kitchen',
    category: 'Salads',
    tags: ['vegetarian'],
    prices: [760],
    stock: 0,
  },
  {
    name: 'French Fries',
    description: 'Hand-cut potatoes, sea salt',
    brand: 'Grill House',
    category: 'Sides',
    tags: ['vegan'],
    prices: [350, 450],
    stock: 100,
  },
  {
    name: 'Sweet Potato Fries',
    description: 'With chipotle dip',
    brand: 'Grill House',
    category: 'Sides',
    tags: ['vegetarian'],
    prices: [450],
    stock: 60,
  },
  {
    name: 'Onion Rings',
    description: 'Beer-battered onion rings',
    brand: 'Grill House',
    category: 'Sides',
    tags: ['vegetarian'],
    prices: [420],
    stock: 30,
  },
  {
    name: 'Chocolate Milkshake',
    description: 'Belgian chocolate, whipped cream',
    brand: 'Shake Bar',
    category: 'Drinks',
    tags: ['sweet'],
    prices: [520],
    stock: 40,
  },
  {
    name: 'Vanilla Milkshake',
    description: 'Madagascar vanilla',
    brand: 'Shake Bar',
    category: 'Drinks',
    tags: ['sweet'],
    prices: [520],
    stock: 40,
  },
  {
    name: 'Fresh Lemonade',
    description: 'Squeezed lemons, mint',
    brand: 'Shake Bar',
    category: 'Drinks',
    tags: ['vegan'],
    prices: [390],
    stock: 70,
  },
  {
    name: 'Iced Tea',
    description: 'Peach iced tea',
    brand: 'Shake Bar',
    category: 'Drinks',
    tags: ['vegan'],
    prices: [350],
    stock: 70,
  },
  {
    name: 'Espresso',
    description: 'Double shot, Arabica beans',
    brand: 'Bean Co',
    category: 'Coffee',
    tags: ['hot'],
    prices: [280],
    stock: 200,
  },
  {
    name: 'Cappuccino',
    description: 'Espresso with steamed milk foam',
    brand: 'Bean Co',
    category: 'Coffee',
    tags: ['hot'],
    prices: [380],
    stock: 200,
  },
  {
    name: 'Chocolate Brownie',
    description: 'Warm brownie with walnuts',
    brand: null,
    category: 'Desserts',
    tags: ['sweet'],
    prices: [480],
    stock: 18,
  },
  {
    name: 'Apple Pie',
    description: 'Cinnamon apple pie with cream',
    brand: null,
    category: 'Desserts',
    tags: ['sweet', 'vegetarian'],
    prices: [450],
    stock: 9,
  },
  {
    name: 'Tiramisu',
    description: 'Mascarpone, espresso-soaked ladyfingers',
    brand: 'Forno Rosso',
    category: 'Desserts',
    tags: ['sweet'],
    prices: [590],
    stock: 14,
  },
];

let seq = 1000;

export function demoDocument(product: DemoProduct, merchantId: string, id = String(++seq)): ProductDocument {
  const min = Math.min(...product.prices);
  return {
    id,
    merchant_id: merchantId,
    name: product.name,
    description: product.description,
    brand: product.brand,
    category: product.category,
    tags: product.tags,
    price: min,
    min_price: min,
    max_price: Math.max(...product.prices),
    currency: 'USD',
    in_stock: product.stock > 0,
    available: product.stock,
    published: true,
    variant_count: product.prices.length,
    updated_at: 1_700_000_000_000,
  };
}

export function demoDocuments(merchantId: string): ProductDocument[] {
  return DEMO_PRODUCTS.map((p) => demoDocument(p, merchantId));
}
