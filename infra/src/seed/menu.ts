/**
 * The demo restaurant's menu: ~150 items across the grill, fry, bar and expo stations, built from
 * a few base dishes and their sizes/styles so names read like a real menu.
 */
export interface MenuItem {
  name: string;
  description: string;
  category: string;
  station: 'grill' | 'fry' | 'bar' | 'expo';
  price: number;
  tags: string[];
}

const BASES: Array<[string, string, MenuItem['station'], number, string, string[]]> = [
  // name, category, station, price (cents), description, tags
  [
    'Chicken Burger',
    'Burgers',
    'grill',
    1250,
    'Grilled chicken breast, lettuce, tomato, garlic mayo on a brioche bun',
    ['chicken'],
  ],
  ['Classic Beef Burger', 'Burgers', 'grill', 1350, 'Dry-aged beef patty, cheddar, pickles, house sauce', ['beef']],
  ['Double Cheeseburger', 'Burgers', 'grill', 1590, 'Two smashed patties, double American cheese, onions', ['beef']],
  ['Veggie Burger', 'Burgers', 'grill', 1190, 'Black bean and beet patty, avocado, chipotle mayo', ['vegetarian']],
  ['BBQ Bacon Burger', 'Burgers', 'grill', 1490, 'Beef patty, smoked bacon, onion rings, BBQ sauce', ['beef', 'bacon']],
  ['Mushroom Swiss Burger', 'Burgers', 'grill', 1450, 'Beef patty, sautéed mushrooms, Swiss cheese', ['beef']],
  ['Margherita Pizza', 'Pizza', 'grill', 1100, 'San Marzano tomato, fior di latte, basil, olive oil', ['vegetarian']],
  ['Pepperoni Pizza', 'Pizza', 'grill', 1300, 'Tomato, mozzarella, spicy pepperoni', ['spicy']],
  ['Quattro Formaggi Pizza', 'Pizza', 'grill', 1400, 'Mozzarella, gorgonzola, parmesan, fontina', ['vegetarian']],
  ['Diavola Pizza', 'Pizza', 'grill', 1350, 'Tomato, mozzarella, spicy salami, chili', ['spicy']],
  ['Ribeye Steak', 'Steaks', 'grill', 2900, '300 g ribeye, herb butter, grilled tomato', ['beef']],
  ['Grilled Salmon', 'Mains', 'grill', 2200, 'Atlantic salmon fillet, lemon, dill, seasonal greens', ['fish']],
  ['Chicken Skewers', 'Mains', 'grill', 1500, 'Marinated chicken thighs, tzatziki, pita', ['chicken']],
  ['Halloumi Skewers', 'Mains', 'grill', 1300, 'Grilled halloumi, peppers, red onion, mint yogurt', ['vegetarian']],
  ['French Fries', 'Sides', 'fry', 450, 'Crispy skin-on fries with sea salt', ['vegetarian', 'vegan']],
  ['Sweet Potato Fries', 'Sides', 'fry', 550, 'Sweet potato fries, smoked paprika aioli', ['vegetarian']],
  ['Onion Rings', 'Sides', 'fry', 500, 'Beer-battered onion rings', ['vegetarian']],
  [
    'Chicken Wings',
    'Starters',
    'fry',
    1100,
    'Crispy wings tossed in buffalo or honey garlic sauce',
    ['chicken', 'spicy'],
  ],
  ['Fish and Chips', 'Mains', 'fry', 1650, 'Beer-battered cod, chips, mushy peas, tartare sauce', ['fish']],
  ['Calamari', 'Starters', 'fry', 1050, 'Fried squid rings, lemon, garlic aioli', ['fish']],
  ['Mozzarella Sticks', 'Starters', 'fry', 850, 'Breaded mozzarella, marinara dip', ['vegetarian']],
  ['Chicken Tenders', 'Mains', 'fry', 1200, 'Buttermilk chicken tenders, honey mustard', ['chicken']],
  ['Jalapeño Poppers', 'Starters', 'fry', 800, 'Cream cheese stuffed jalapeños', ['spicy', 'vegetarian']],
  ['Churros', 'Desserts', 'fry', 700, 'Cinnamon sugar churros with chocolate sauce', ['sweet']],
  ['Lemonade', 'Drinks', 'bar', 400, 'Fresh-squeezed lemonade', ['non-alcoholic']],
  ['Iced Tea', 'Drinks', 'bar', 350, 'House-brewed black tea over ice', ['non-alcoholic']],
  ['Espresso', 'Coffee', 'bar', 280, 'Double shot of our house blend', ['coffee']],
  ['Cappuccino', 'Coffee', 'bar', 380, 'Espresso, steamed milk, foam', ['coffee']],
  ['Flat White', 'Coffee', 'bar', 390, 'Espresso with velvety microfoam', ['coffee']],
  ['Craft Lager', 'Beer', 'bar', 650, 'Local pilsner-style lager, draught', ['alcohol']],
  ['IPA', 'Beer', 'bar', 700, 'Hoppy India pale ale, draught', ['alcohol']],
  ['Margarita Cocktail', 'Cocktails', 'bar', 1100, 'Tequila, lime, triple sec, salted rim', ['alcohol']],
  ['Mojito', 'Cocktails', 'bar', 1050, 'White rum, lime, mint, soda', ['alcohol']],
  ['Negroni', 'Cocktails', 'bar', 1200, 'Gin, Campari, sweet vermouth', ['alcohol']],
  ['House Red Wine', 'Wine', 'bar', 900, 'Glass of Tempranillo', ['alcohol']],
  ['House White Wine', 'Wine', 'bar', 900, 'Glass of Sauvignon Blanc', ['alcohol']],
  ['Sparkling Water', 'Drinks', 'bar', 300, 'Bottle of sparkling mineral water', ['non-alcoholic']],
  ['Caesar Salad', 'Salads', 'expo', 1150, 'Romaine, parmesan, croutons, Caesar dressing', []],
  ['Greek Salad', 'Salads', 'expo', 1050, 'Tomato, cucumber, olives, feta, oregano', ['vegetarian']],
  ['Tiramisu', 'Desserts', 'expo', 800, 'Mascarpone, espresso-soaked ladyfingers, cocoa', ['sweet']],
  ['Cheesecake', 'Desserts', 'expo', 750, 'New York cheesecake, berry compote', ['sweet']],
  ['Chocolate Brownie', 'Desserts', 'expo', 700, 'Warm brownie, vanilla ice cream', ['sweet']],
  ['Bread Basket', 'Starters', 'expo', 450, 'Sourdough, focaccia, whipped butter', ['vegetarian']],
  ['Hummus Plate', 'Starters', 'expo', 850, 'Hummus, olive oil, warm pita', ['vegan']],
];

const VARIANTS: Record<string, Array<[string, number]>> = {
  Burgers: [
    ['Regular', 0],
    ['With Fries', 350],
    ['Meal Deal', 650],
  ],
  Pizza: [
    ['Medium', 0],
    ['Large', 400],
    ['Gluten-Free', 200],
  ],
  Drinks: [
    ['Regular', 0],
    ['Large', 150],
  ],
  Coffee: [
    ['Single', 0],
    ['Oat Milk', 60],
  ],
  Beer: [
    ['Half Pint', -250],
    ['Pint', 0],
  ],
  Sides: [
    ['Regular', 0],
    ['Large', 200],
  ],
  Starters: [
    ['Regular', 0],
    ['Sharing', 600],
  ],
};

/** House styles that turn a base dish into another menu item ("Smoky Chicken Burger"). */
const STYLES: Record<MenuItem['station'], Array<[string, number, string]>> = {
  grill: [
    ['Smoky', 100, 'finished over hickory smoke'],
    ['Spicy', 50, 'with house chili oil'],
    ['Truffle', 300, 'with black truffle butter'],
  ],
  fry: [
    ['Loaded', 200, 'topped with cheese sauce and scallions'],
    ['Cajun', 50, 'dusted with cajun spice'],
    ['Garlic Parmesan', 100, 'tossed in garlic and parmesan'],
  ],
  bar: [
    ['Iced', 50, 'served over ice'],
    ['Spiced', 80, 'with cinnamon and star anise'],
    ['Sparkling', 60, 'topped with soda'],
  ],
  expo: [
    ['Vegan', 0, 'made without animal products'],
    ['Mini', -200, 'in a smaller portion'],
    ['Sharing', 500, 'sized for the table'],
  ],
};

export const MENU_SIZE = 150;

/** The base dishes, then styled versions of them, up to MENU_SIZE items, each with its variants. */
export function demoMenu(): Array<MenuItem & { variants: Array<{ name: string; price: number }> }> {
  const items: MenuItem[] = BASES.map(([name, category, station, price, description, tags]) => ({
    name,
    category,
    station,
    price,
    description,
    tags,
  }));
  for (let style = 0; style < 3 && items.length < MENU_SIZE; style++) {
    for (const [name, category, station, price, description, tags] of BASES) {
      if (items.length >= MENU_SIZE) break;
      const [prefix, delta, how] = STYLES[station][style]!;
      items.push({
        name: `${prefix} ${name}`,
        category,
        station,
        price: Math.max(100, price + delta),
        description: `${description}, ${how}`,
        tags: prefix === 'Vegan' ? [...tags, 'vegan'] : prefix === 'Spicy' ? [...tags, 'spicy'] : tags,
      });
    }
  }
  return items.map((item) => ({
    ...item,
    variants: (VARIANTS[item.category] ?? [['Regular', 0]]).map(([variant, delta]) => ({
      name: variant,
      price: Math.max(50, item.price + delta),
    })),
  }));
}
