import { seededRandom } from './random.ts';

/** A generated retail catalog (the demo store's shelves) for search: deterministic, varied text. */
export interface RetailProduct {
  name: string;
  description: string;
  brand: string;
  category: string;
  tags: string[];
  variants: Array<{ name: string; price: number }>;
}

const BRANDS = [
  'Acme',
  'Northwind',
  'Evergreen',
  'Bluebird',
  'Summit',
  'Harbor',
  'Lumen',
  'Oakridge',
  'Pioneer',
  'Quartz',
  'Riverstone',
  'Solace',
  'Tundra',
  'Vantage',
  'Willow',
  'Zephyr',
  'Atlas',
  'Beacon',
  'Cobalt',
  'Drift',
];
const CATEGORIES: Record<string, string[]> = {
  Kitchen: ['Chef Knife', 'Cutting Board', 'Frying Pan', 'Saucepan', 'Mixing Bowl', 'Kettle', 'Toaster', 'Blender'],
  Outdoor: ['Tent', 'Sleeping Bag', 'Backpack', 'Headlamp', 'Water Bottle', 'Camping Stove', 'Trekking Poles'],
  Electronics: ['Headphones', 'Bluetooth Speaker', 'Power Bank', 'USB Cable', 'Keyboard', 'Mouse', 'Webcam'],
  Apparel: ['T-Shirt', 'Hoodie', 'Rain Jacket', 'Sneakers', 'Wool Socks', 'Baseball Cap', 'Fleece Vest'],
  Home: ['Throw Blanket', 'Desk Lamp', 'Scented Candle', 'Wall Clock', 'Storage Basket', 'Picture Frame'],
  Garden: ['Watering Can', 'Pruning Shears', 'Garden Hose', 'Plant Pot', 'Seed Starter Kit', 'Rake'],
  Grocery: ['Olive Oil', 'Espresso Beans', 'Green Tea', 'Dark Chocolate', 'Maple Syrup', 'Pasta', 'Honey'],
  Toys: ['Building Blocks', 'Puzzle', 'Plush Bear', 'Kite', 'Board Game', 'Toy Car'],
  Sports: ['Yoga Mat', 'Dumbbell', 'Jump Rope', 'Tennis Racket', 'Football', 'Cycling Gloves'],
  Beauty: ['Shampoo', 'Face Cream', 'Lip Balm', 'Hand Soap', 'Sunscreen', 'Body Lotion'],
};
const ADJECTIVES = [
  'Classic',
  'Premium',
  'Compact',
  'Ultralight',
  'Organic',
  'Deluxe',
  'Essential',
  'Pro',
  'Eco',
  'Vintage',
  'Heavy-Duty',
  'Portable',
  'Wireless',
  'Handmade',
  'Everyday',
  'Travel',
  'Modern',
  'Rustic',
  'Smart',
  'Soft',
];
const COLORS = ['Black', 'White', 'Red', 'Blue', 'Green', 'Grey', 'Navy', 'Olive', 'Sand', 'Charcoal'];
const SIZES = ['Small', 'Medium', 'Large'];
const MATERIALS = ['stainless steel', 'bamboo', 'recycled cotton', 'merino wool', 'aluminium', 'ceramic', 'oak'];
const TAGS = ['bestseller', 'new', 'sale', 'gift', 'eco', 'limited', 'bundle', 'staff-pick'];

export function retailCatalog(count: number, seed = 42): RetailProduct[] {
  const rnd = seededRandom(seed);
  const categories = Object.keys(CATEGORIES);
  const products: RetailProduct[] = [];
  for (let i = 0; i < count; i++) {
    const category = categories[i % categories.length]!;
    const noun = rnd.pick(CATEGORIES[category]!);
    const brand = rnd.pick(BRANDS);
    const adjective = rnd.pick(ADJECTIVES);
    const base = rnd.int(3, 250) * 100 - 1;
    const variantCount = rnd.int(1, 3);
    const colors = rnd.sample(COLORS, variantCount);
    products.push({
      name: `${brand} ${adjective} ${noun} ${i + 1}`,
      description: `${adjective} ${noun.toLowerCase()} by ${brand}, made of ${rnd.pick(MATERIALS)}. ${rnd.pick(['Built to last.', 'Great value.', 'Designed for daily use.', 'Customer favourite.'])}`,
      brand,
      category,
      tags: rnd.sample(TAGS, rnd.int(0, 2)),
      variants: colors.map((color, v) => ({
        name: variantCount > 1 ? `${color} / ${SIZES[v % SIZES.length]}` : color,
        price: base + v * 200,
      })),
    });
  }
  return products;
}
