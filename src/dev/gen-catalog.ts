import { SeededRandom } from "./random.js";

/**
 * A synthetic catalog for benchmarks and load tests: deterministic for a seed, realistic in shape
 * (grouped variants, long HTML descriptions, Unicode titles, several images, five store locations,
 * a share of items with the problems real catalogs have), and produced one product at a time so
 * it can stream millions of variants into a writer.
 */
export interface GenCatalogOptions {
  variants: number;
  seed: number;
}

/** The JSON record shape every catalog writer takes (money as text, as merchants export it). */
export interface GeneratedProduct {
  id: string;
  title: string;
  description: string;
  brand?: string;
  link: string;
  images: string[];
  categoryPath: string[];
  productType: string;
  gender?: "male" | "female" | "unisex";
  ageGroup?: "adult" | "kids";
  material?: string;
  pattern?: string;
  tags: string[];
  variants: GeneratedVariant[];
}

export interface GeneratedVariant {
  sku: string;
  gtin?: string;
  mpn?: string;
  price: string;
  salePrice?: string;
  salePriceStart?: string;
  salePriceEnd?: string;
  availability?: "preorder";
  availabilityDate?: string;
  inventory: { location: string; quantity: number }[];
  options: { name: string; value: string }[];
  color?: string;
  size?: string;
  weight: { value: number; unit: "g" };
  dimensions?: { length: number; width: number; height: number; unit: "cm" };
  images: string[];
}

export const LOCATIONS = ["STORE-001", "STORE-002", "STORE-003", "STORE-004", "STORE-005"] as const;
const STORE_URL = "https://bench.omnifeed.dev";

interface Category {
  path: string[];
  nouns: readonly string[];
  axes: "apparel" | "colour" | "size" | "single";
  price: [number, number];
  grams: [number, number];
}

const APPAREL_SIZES = ["XS", "S", "M", "L", "XL", "XXL"] as const;
const COLOURS = [
  "Black",
  "White",
  "Navy",
  "Red",
  "Forest Green",
  "Heather Grey",
  "Sand",
  "Sky Blue",
  "Burgundy",
  "Olive",
];
const CATEGORIES: readonly Category[] = [
  {
    path: ["Apparel", "Tops", "T-Shirts"],
    nouns: ["Tee", "T-Shirt", "Crew Tee"],
    axes: "apparel",
    price: [12, 45],
    grams: [150, 250],
  },
  {
    path: ["Apparel", "Tops", "Hoodies"],
    nouns: ["Hoodie", "Zip Hoodie"],
    axes: "apparel",
    price: [35, 110],
    grams: [450, 800],
  },
  {
    path: ["Apparel", "Bottoms", "Jeans"],
    nouns: ["Jeans", "Slim Jeans"],
    axes: "apparel",
    price: [40, 160],
    grams: [500, 900],
  },
  {
    path: ["Apparel", "Shoes", "Sneakers"],
    nouns: ["Sneaker", "Runner"],
    axes: "apparel",
    price: [50, 220],
    grams: [600, 1200],
  },
  {
    path: ["Apparel", "Accessories", "Socks"],
    nouns: ["Socks", "Ankle Socks"],
    axes: "apparel",
    price: [6, 25],
    grams: [40, 120],
  },
  {
    path: ["Electronics", "Audio", "Headphones"],
    nouns: ["Headphones", "Earbuds"],
    axes: "colour",
    price: [20, 400],
    grams: [30, 350],
  },
  {
    path: ["Electronics", "Audio", "Speakers"],
    nouns: ["Speaker", "Soundbar"],
    axes: "colour",
    price: [30, 600],
    grams: [300, 4000],
  },
  {
    path: ["Electronics", "Phone Accessories", "Chargers"],
    nouns: ["Charger", "Power Bank"],
    axes: "single",
    price: [10, 90],
    grams: [50, 400],
  },
  {
    path: ["Electronics", "Phone Accessories", "Cases"],
    nouns: ["Case", "Folio Case"],
    axes: "colour",
    price: [8, 60],
    grams: [20, 120],
  },
  {
    path: ["Electronics", "Computer Accessories", "Keyboards"],
    nouns: ["Keyboard", "Mechanical Keyboard"],
    axes: "single",
    price: [25, 250],
    grams: [400, 1400],
  },
  {
    path: ["Home", "Kitchen", "Mugs"],
    nouns: ["Mug", "Travel Mug"],
    axes: "colour",
    price: [8, 40],
    grams: [250, 500],
  },
  {
    path: ["Home", "Kitchen", "Cookware"],
    nouns: ["Skillet", "Saucepan", "Dutch Oven"],
    axes: "size",
    price: [25, 300],
    grams: [900, 5000],
  },
  {
    path: ["Home", "Decor", "Candles"],
    nouns: ["Candle", "Scented Candle"],
    axes: "single",
    price: [10, 60],
    grams: [200, 900],
  },
  {
    path: ["Home", "Bedding", "Blankets"],
    nouns: ["Blanket", "Throw"],
    axes: "size",
    price: [30, 250],
    grams: [800, 3000],
  },
  {
    path: ["Home", "Decor", "Lamps"],
    nouns: ["Lamp", "Desk Lamp"],
    axes: "colour",
    price: [25, 350],
    grams: [700, 4000],
  },
];

const BRANDS = [
  "Acme",
  "Northwind",
  "Köhler & Söhne",
  "Blue Fjord",
  "Maison Étoile",
  "Kumo 雲",
  "Peak&Pine",
  "Solstice",
  "Vela",
  "Oakridge",
];
const ADJECTIVES = [
  "Classic",
  "Essential",
  "Premium",
  "Everyday",
  "Organic",
  "Recycled",
  "Ultra-Light",
  "Vintage",
  "Café",
  "Crème",
  "Nordic",
  "Urban",
  "Coastal",
  "Alpine",
];
const MATERIALS = [
  "Cotton",
  "Organic Cotton",
  "Polyester",
  "Wool",
  "Linen",
  "Recycled Nylon",
  "Stainless Steel",
  "Ceramic",
  "Aluminium",
  "Oak",
];
const PATTERNS = ["Solid", "Striped", "Checked", "Heathered", "Printed"];
const FLOURISHES = ["", "", "", "", " ✨", " 🔥", " – Édition Limitée", " (東京 Edition)", " & More"];
const WORDS =
  "soft durable lightweight breathable everyday comfort design crafted sustainable premium quality tested built last fit finish detail warm cool water resistant easy care machine washable versatile modern timeless essential reliable performance battery sound clear deep bass wireless fast charging compact portable sleek elegant handmade natural texture cosy generous roomy ergonomic precise responsive quiet".split(
    " ",
  );

/** Generates the products of a catalog with exactly `variants` variants, in a fixed order. */
export function* generateCatalog(options: GenCatalogOptions): Generator<GeneratedProduct> {
  const random = new SeededRandom(options.seed);
  let remaining = options.variants;
  let productNumber = 0;
  while (remaining > 0) {
    productNumber += 1;
    const product = generateProduct(random, productNumber, remaining);
    remaining -= product.variants.length;
    yield product;
  }
}

function generateProduct(random: SeededRandom, number: number, maxVariants: number): GeneratedProduct {
  const category = random.pick(CATEGORIES);
  const id = `P${String(number).padStart(7, "0")}`;
  const brand = random.chance(0.01) ? undefined : random.pick(BRANDS);
  const noun = random.pick(category.nouns);
  let title = `${brand ?? "Unbranded"} ${random.pick(ADJECTIVES)} ${noun}${random.pick(FLOURISHES)}`;
  // Some merchants stuff keywords into titles; channels cap them at 150 characters.
  if (random.chance(0.005)) title = `${title} ${sentence(random, 30)}`;
  const images = Array.from(
    { length: random.int(3, 8) },
    (_, index) => `${STORE_URL}/img/${id}-${index + 1}.jpg`,
  );
  const apparel = category.axes === "apparel";
  const product: GeneratedProduct = {
    id,
    title,
    description: description(random),
    ...(brand ? { brand } : {}),
    link: `${STORE_URL}/products/${id.toLowerCase()}`,
    images,
    categoryPath: category.path,
    productType: noun,
    ...(apparel
      ? {
          gender: random.pick(["male", "female", "unisex"] as const),
          ageGroup: random.chance(0.85) ? ("adult" as const) : ("kids" as const),
        }
      : {}),
    ...(random.chance(0.5) ? { material: random.pick(MATERIALS) } : {}),
    ...(apparel && random.chance(0.4) ? { pattern: random.pick(PATTERNS) } : {}),
    tags: [category.path[0]!.toLowerCase(), random.pick(["new", "bestseller", "gift", "eco", "sale"])],
    variants: [],
  };
  const axes = variantAxes(random, category, maxVariants);
  const base = random.int(category.price[0], category.price[1]);
  const onSale = random.chance(0.15);
  axes.forEach((options, index) => {
    const sku = `${id}-${String(index + 1).padStart(2, "0")}`;
    const colour = options.find((option) => option.name === "Color")?.value;
    const size = options.find((option) => option.name === "Size")?.value;
    const price = base + (size && APPAREL_SIZES.indexOf(size as (typeof APPAREL_SIZES)[number]) >= 4 ? 2 : 0);
    const outOfStock = random.chance(0.08);
    const variant: GeneratedVariant = {
      sku,
      ...gtinFields(random, number * 64 + index),
      price: random.chance(0.002) ? "N/A" : `${price}.${random.pick(["99", "49", "00", "95"])}`,
      inventory: LOCATIONS.map((location) => ({ location, quantity: outOfStock ? 0 : random.int(0, 20) })),
      options,
      ...(colour ? { color: colour } : {}),
      ...(size ? { size } : {}),
      weight: { value: random.int(category.grams[0], category.grams[1]), unit: "g" },
      ...(category.axes === "apparel"
        ? {}
        : {
            dimensions: {
              length: random.int(5, 60),
              width: random.int(5, 40),
              height: random.int(2, 30),
              unit: "cm" as const,
            },
          }),
      images: colour ? [`${STORE_URL}/img/${id}-${slug(colour)}.jpg`] : [],
    };
    if (onSale) {
      variant.salePrice = `${Math.max(1, Math.floor(price * 0.75))}.99`;
      variant.salePriceStart = "2026-11-20T00:00:00Z";
      variant.salePriceEnd = "2026-12-01T23:59:59Z";
    }
    if (random.chance(0.003)) {
      variant.availability = "preorder";
      variant.availabilityDate = "2027-01-15T09:00:00Z";
    }
    product.variants.push(variant);
  });
  return product;
}

function variantAxes(
  random: SeededRandom,
  category: Category,
  maxVariants: number,
): { name: string; value: string }[][] {
  let combos: { name: string; value: string }[][];
  switch (category.axes) {
    case "apparel": {
      const colours = pickDistinct(random, COLOURS, random.int(1, 3));
      const sizes = APPAREL_SIZES.slice(random.int(0, 1), random.int(4, 6));
      combos = colours.flatMap((colour) =>
        sizes.map((size) => [
          { name: "Color", value: colour },
          { name: "Size", value: size },
        ]),
      );
      break;
    }
    case "colour":
      combos = pickDistinct(random, COLOURS, random.int(1, 4)).map((colour) => [
        { name: "Color", value: colour },
      ]);
      break;
    case "size":
      combos = pickDistinct(random, ["Small", "Medium", "Large", "King"], random.int(1, 3)).map((size) => [
        { name: "Size", value: size },
      ]);
      break;
    default:
      combos = [[]];
  }
  return combos.slice(0, Math.max(1, maxVariants));
}

function gtinFields(random: SeededRandom, serial: number): { gtin?: string; mpn?: string } {
  if (random.chance(0.03)) return random.chance(0.5) ? { mpn: `MPN-${serial}` } : {};
  const body = `400${String(serial).padStart(9, "0")}`.slice(-12);
  const check = gs1CheckDigit(body);
  // A small share of barcodes are mistyped in the source system.
  const digit = random.chance(0.005) ? (check + 1) % 10 : check;
  return { gtin: `${body}${digit}` };
}

export function gs1CheckDigit(body: string): number {
  let sum = 0;
  for (let index = 0; index < body.length; index += 1) {
    const digit = body.charCodeAt(body.length - 1 - index) - 48;
    sum += index % 2 === 0 ? digit * 3 : digit;
  }
  return (10 - (sum % 10)) % 10;
}

function description(random: SeededRandom): string {
  const paragraphs = random.int(2, 4);
  let html = "";
  for (let index = 0; index < paragraphs; index += 1)
    html += `<p>${sentence(random, random.int(25, 60))}.</p>`;
  html += "<ul>";
  for (let index = random.int(3, 6); index > 0; index -= 1)
    html += `<li>${sentence(random, random.int(4, 9))}</li>`;
  html += "</ul>";
  if (random.chance(0.3)) html += `<p>Care &amp; use: ${sentence(random, 12)} &lt;30°C&gt;.</p>`;
  return html;
}

function sentence(random: SeededRandom, words: number): string {
  let text = random.pick(WORDS);
  text = text.charAt(0).toUpperCase() + text.slice(1);
  for (let index = 1; index < words; index += 1) text += ` ${random.pick(WORDS)}`;
  return text;
}

function pickDistinct<T>(random: SeededRandom, items: readonly T[], count: number): T[] {
  const pool = [...items];
  const picked: T[] = [];
  while (picked.length < count && pool.length > 0)
    picked.push(pool.splice(random.int(0, pool.length - 1), 1)[0]!);
  return picked;
}

function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, "-");
}
