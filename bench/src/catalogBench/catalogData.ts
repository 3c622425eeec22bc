/**
 * The catalogue the bench seeds, made the same on every run from a seed: a category tree of ten
 * roots with five leaves each, thirty brands, and products in Bangladeshi marketplace terms
 * (English titles, about a tenth in Bangla), spread over the leaves Zipf-like, with one to three
 * variants, prices from ৳ 50 to ৳ 50,000 in poisha, some out of stock. Pure: the bench process
 * makes the request bodies and the search queries from it.
 */
import { cumulativeOf, random, type Random } from './random';

export interface LeafSpec {
  name: string;
  slug: string;
  /** What titles call the product (the last words of an English title). */
  nouns: readonly string[];
  /** The same in Bangla, for the titles in Bangla. */
  bangla: readonly string[];
  /** Price range in taka. */
  priceTaka: readonly [number, number];
}

export interface RootSpec {
  name: string;
  slug: string;
  brands: readonly string[];
  /** An attribute every product of the root has, whose value is also a word of most titles. */
  attribute: { name: string; values: readonly string[] };
  /** The option the variants differ in. */
  option: { name: string; values: readonly string[] };
  leaves: readonly LeafSpec[];
}

const leaf = (name: string, slug: string, nouns: string[], bangla: string[], priceTaka: [number, number]): LeafSpec => ({ name, slug, nouns, bangla, priceTaka });

export const CATEGORY_TREE: readonly RootSpec[] = [
  {
    name: "Men's Fashion",
    slug: 'mens-fashion',
    brands: ['Aarong', 'Yellow', 'Sailor'],
    attribute: { name: 'material', values: ['Cotton', 'Linen', 'Silk', 'Khadi', 'Endi Silk', 'Denim', 'Polyester'] },
    option: { name: 'size', values: ['S', 'M', 'L', 'XL', 'XXL'] },
    leaves: [
      leaf('Panjabi', 'panjabi', ['Panjabi', 'Kurta', 'Kabli Set'], ['পাঞ্জাবি', 'কাবলি সেট'], [800, 12_000]),
      leaf('Shirts', 'mens-shirts', ['Shirt', 'Formal Shirt', 'Casual Shirt'], ['শার্ট'], [500, 5_000]),
      leaf('T-Shirts', 't-shirts', ['T-Shirt', 'Polo Shirt'], ['টি-শার্ট', 'পোলো শার্ট'], [250, 2_500]),
      leaf('Lungi', 'lungi', ['Lungi', 'Checked Lungi'], ['লুঙ্গি', 'চেক লুঙ্গি'], [300, 3_000]),
      leaf('Jeans & Trousers', 'jeans', ['Jeans', 'Chinos', 'Trousers'], ['জিন্স প্যান্ট', 'প্যান্ট'], [700, 6_000]),
    ],
  },
  {
    name: "Women's Fashion",
    slug: 'womens-fashion',
    brands: ['Le Reve', 'Ecstasy', 'Rang Bangladesh'],
    attribute: { name: 'material', values: ['Cotton', 'Silk', 'Muslin', 'Georgette', 'Chiffon', 'Half Silk', 'Katan'] },
    option: { name: 'size', values: ['S', 'M', 'L', 'XL', 'Free Size'] },
    leaves: [
      leaf('Saree', 'saree', ['Jamdani Saree', 'Tant Saree', 'Katan Saree', 'Silk Saree'], ['জামদানি শাড়ি', 'তাঁতের শাড়ি', 'কাতান শাড়ি', 'শাড়ি'], [900, 45_000]),
      leaf('Salwar Kameez', 'salwar-kameez', ['Salwar Kameez', 'Three-Piece'], ['সালোয়ার কামিজ', 'থ্রি পিস'], [900, 9_000]),
      leaf('Kurti', 'kurti', ['Kurti', 'Tunic'], ['কুর্তি'], [400, 3_500]),
      leaf('Hijabs & Scarves', 'hijabs', ['Hijab', 'Scarf', 'Orna'], ['হিজাব', 'ওড়না'], [150, 2_000]),
      leaf('Tops', 'womens-tops', ['Top', 'Blouse'], ['টপস', 'ব্লাউজ'], [300, 3_000]),
    ],
  },
  {
    name: 'Electronics',
    slug: 'electronics',
    brands: ['Walton', 'Symphony', 'Xiaomi'],
    attribute: { name: 'feature', values: ['Wireless', 'Bluetooth', 'Dual SIM', '4G', 'Fast Charging', 'Smart', 'Rechargeable'] },
    option: { name: 'colour', values: ['Black', 'White', 'Blue', 'Silver', 'Red'] },
    leaves: [
      leaf('Phones', 'phones', ['Smartphone', 'Feature Phone', 'Android Phone'], ['মোবাইল ফোন', 'স্মার্টফোন'], [1_200, 50_000]),
      leaf('Laptops', 'laptops', ['Laptop', 'Notebook Laptop'], ['ল্যাপটপ'], [25_000, 50_000]),
      leaf('Headphones', 'headphones', ['Headphones', 'Earbuds', 'Neckband'], ['হেডফোন', 'ইয়ারফোন'], [300, 12_000]),
      leaf('Televisions', 'televisions', ['LED TV', 'Smart TV'], ['টেলিভিশন', 'টিভি'], [9_000, 50_000]),
      leaf('Power Banks & Chargers', 'power-banks', ['Power Bank', 'Charger', 'USB Cable'], ['পাওয়ার ব্যাংক', 'চার্জার'], [150, 4_000]),
    ],
  },
  {
    name: 'Home & Kitchen',
    slug: 'home-kitchen',
    brands: ['RFL', 'Kiam', 'Miyako'],
    attribute: { name: 'material', values: ['Stainless Steel', 'Non-Stick', 'Ceramic', 'Cotton', 'Bamboo', 'Melamine', 'Glass'] },
    option: { name: 'size', values: ['Small', 'Medium', 'Large'] },
    leaves: [
      leaf('Cookware', 'cookware', ['Frying Pan', 'Pressure Cooker', 'Karahi'], ['কড়াই', 'প্রেসার কুকার', 'ফ্রাইপ্যান'], [400, 6_000]),
      leaf('Bedsheets & Kantha', 'bedsheets', ['Bedsheet', 'Nakshi Kantha', 'Pillow Cover'], ['নকশী কাঁথা', 'বিছানার চাদর', 'বালিশের কভার'], [300, 8_000]),
      leaf('Lamps & Lights', 'lamps', ['Table Lamp', 'LED Bulb', 'Rechargeable Light'], ['বাতি', 'টেবিল ল্যাম্প'], [100, 4_000]),
      leaf('Storage', 'storage', ['Storage Box', 'Basket', 'Shoe Rack'], ['ঝুড়ি', 'বাক্স'], [200, 5_000]),
      leaf('Dinnerware', 'dinnerware', ['Dinner Set', 'Plate', 'Bowl'], ['থালা', 'বাটি', 'ডিনার সেট'], [150, 15_000]),
    ],
  },
  {
    name: 'Beauty',
    slug: 'beauty',
    brands: ['Meril', 'Keya', 'Tibet'],
    attribute: { name: 'ingredient', values: ['Aloe Vera', 'Neem', 'Rose', 'Sandalwood', 'Turmeric', 'Coconut', 'Herbal'] },
    option: { name: 'size', values: ['50 ml', '100 ml', '200 ml', '500 ml'] },
    leaves: [
      leaf('Skincare', 'skincare', ['Face Wash', 'Moisturiser', 'Sunscreen'], ['ফেস ওয়াশ', 'ক্রিম'], [150, 3_000]),
      leaf('Makeup', 'makeup', ['Lipstick', 'Kajal', 'Foundation'], ['কাজল', 'লিপস্টিক'], [100, 3_500]),
      leaf('Hair Care', 'hair-care', ['Shampoo', 'Hair Oil', 'Conditioner'], ['চুলের তেল', 'শ্যাম্পু'], [100, 2_000]),
      leaf('Fragrance', 'fragrance', ['Attar', 'Perfume', 'Body Spray'], ['আতর', 'সুগন্ধি'], [200, 9_000]),
      leaf('Bath', 'bath', ['Soap', 'Body Wash', 'Hand Wash'], ['সাবান'], [50, 1_200]),
    ],
  },
  {
    name: 'Grocery',
    slug: 'grocery',
    brands: ['Pran', 'ACI', 'Radhuni'],
    attribute: { name: 'quality', values: ['Premium', 'Organic', 'Fresh', 'Aromatic', 'Pure', 'Local'] },
    option: { name: 'weight', values: ['500 g', '1 kg', '2 kg', '5 kg'] },
    leaves: [
      leaf('Rice', 'rice', ['Miniket Rice', 'Chinigura Rice', 'Basmati Rice'], ['চিনিগুড়া চাল', 'মিনিকেট চাল', 'চাল'], [80, 3_000]),
      leaf('Spices', 'spices', ['Turmeric Powder', 'Chilli Powder', 'Garam Masala'], ['হলুদ গুঁড়া', 'মরিচ গুঁড়া', 'মসলা'], [50, 1_500]),
      leaf('Tea', 'tea', ['Tea', 'Green Tea', 'Tea Bags'], ['চা', 'চা পাতা'], [60, 2_500]),
      leaf('Snacks', 'snacks', ['Chanachur', 'Biscuits', 'Muri'], ['চানাচুর', 'বিস্কুট', 'মুড়ি'], [50, 800]),
      leaf('Cooking Oil', 'cooking-oil', ['Mustard Oil', 'Soybean Oil'], ['সরিষার তেল', 'সয়াবিন তেল'], [150, 2_500]),
    ],
  },
  {
    name: 'Shoes',
    slug: 'shoes',
    brands: ['Bata', 'Apex', 'Lotto'],
    attribute: { name: 'material', values: ['Leather', 'Canvas', 'Mesh', 'Rubber', 'Synthetic', 'Suede'] },
    option: { name: 'size', values: ['38', '39', '40', '41', '42', '43', '44'] },
    leaves: [
      leaf('Sneakers', 'sneakers', ['Sneakers', 'Running Shoes'], ['কেডস'], [700, 12_000]),
      leaf('Sandals', 'sandals', ['Sandals', 'Chappal'], ['স্যান্ডেল', 'চপ্পল'], [250, 4_000]),
      leaf('Formal Shoes', 'formal-shoes', ['Oxford Shoes', 'Loafers', 'Formal Shoes'], ['জুতা'], [1_200, 15_000]),
      leaf('Slippers', 'slippers', ['Slippers', 'Flip Flops'], ['স্লিপার'], [100, 1_500]),
      leaf("Kids' Shoes", 'kids-shoes', ['Kids Shoes', 'School Shoes'], ['বাচ্চাদের জুতা', 'স্কুলের জুতা'], [300, 3_000]),
    ],
  },
  {
    name: 'Sports',
    slug: 'sports',
    brands: ['Gray-Nicolls', 'Yonex', 'Adidas'],
    attribute: { name: 'material', values: ['English Willow', 'Kashmir Willow', 'Carbon', 'Steel', 'Rubber', 'Nylon'] },
    option: { name: 'size', values: ['Junior', 'Standard', 'Senior'] },
    leaves: [
      leaf('Cricket', 'cricket', ['Cricket Bat', 'Cricket Ball', 'Batting Gloves'], ['ক্রিকেট ব্যাট', 'ক্রিকেট বল'], [300, 40_000]),
      leaf('Football', 'football', ['Football', 'Jersey', 'Football Boots'], ['ফুটবল', 'জার্সি'], [400, 8_000]),
      leaf('Fitness', 'fitness', ['Dumbbell', 'Yoga Mat', 'Skipping Rope'], ['ডাম্বেল', 'যোগ ম্যাট'], [150, 20_000]),
      leaf('Cycling', 'cycling', ['Bicycle', 'Cycling Helmet'], ['সাইকেল'], [1_000, 50_000]),
      leaf('Badminton', 'badminton', ['Badminton Racket', 'Shuttlecock'], ['ব্যাডমিন্টন'], [150, 12_000]),
    ],
  },
  {
    name: 'Books & Stationery',
    slug: 'books-stationery',
    brands: ['Matador', 'Faber-Castell', 'Prothoma'],
    attribute: { name: 'format', values: ['Hardcover', 'Paperback', 'A4', 'A5', 'Ruled', 'Plain'] },
    option: { name: 'pack', values: ['1 piece', 'pack of 3', 'pack of 5', 'pack of 10'] },
    leaves: [
      leaf('Novels', 'novels', ['Novel', 'Short Stories', 'Poetry Collection'], ['উপন্যাস', 'গল্পের বই', 'কবিতার বই'], [150, 1_500]),
      leaf('Textbooks', 'textbooks', ['Textbook', 'Guide Book', 'Dictionary'], ['পাঠ্যবই', 'অভিধান'], [100, 2_500]),
      leaf('Notebooks', 'notebooks', ['Notebook', 'Diary', 'Sketchbook'], ['খাতা', 'ডায়েরি'], [50, 1_200]),
      leaf('Pens', 'pens', ['Ball Pen', 'Gel Pen', 'Fountain Pen'], ['কলম'], [50, 3_000]),
      leaf('Art Supplies', 'art-supplies', ['Colour Pencils', 'Watercolour Set', 'Crayons'], ['রং পেন্সিল', 'রং'], [80, 4_000]),
    ],
  },
  {
    name: 'Baby & Kids',
    slug: 'baby-kids',
    brands: ['Neocare', 'Savlon', 'Toy Kingdom'],
    attribute: { name: 'material', values: ['Cotton', 'BPA-Free Plastic', 'Silicone', 'Wooden', 'Plush'] },
    option: { name: 'age', values: ['0-6 months', '6-12 months', '1-2 years', '3-5 years'] },
    leaves: [
      leaf('Toys', 'toys', ['Toy Car', 'Doll', 'Building Blocks'], ['খেলনা', 'পুতুল'], [100, 6_000]),
      leaf('Diapers & Wipes', 'diapers', ['Baby Diapers', 'Pant Diapers', 'Baby Wipes'], ['ডায়াপার'], [200, 3_500]),
      leaf('Baby Clothes', 'baby-clothes', ['Romper', 'Baby Frock', 'Baby Set'], ['বাচ্চাদের জামা', 'ফ্রক'], [200, 3_000]),
      leaf('Feeding', 'feeding', ['Feeding Bottle', 'Sipper Cup', 'Baby Spoon Set'], ['ফিডার'], [100, 2_500]),
      leaf('School Bags', 'school-bags', ['School Bag', 'Backpack', 'Lunch Box'], ['স্কুল ব্যাগ', 'টিফিন বক্স'], [300, 4_000]),
    ],
  },
];

export const ADJECTIVES = ['Classic', 'Premium', 'Handmade', 'Traditional', 'Modern', 'Festive', 'Everyday', 'Deluxe', 'Comfort', 'Lightweight', 'Original', 'Eid Special', 'Elegant', 'Durable', 'Compact', 'Exclusive'];
export const BANGLA_ADJECTIVES = ['হাতে বোনা', 'খাঁটি', 'নতুন', 'ঐতিহ্যবাহী', 'প্রিমিয়াম', 'ঈদ স্পেশাল', 'দেশি', 'সেরা'];
const SUFFIXES = [' - Eid Collection', ' - New Arrival', ' - Limited Edition', ' (Original)'];
const PHRASES = ['Quality checked before dispatch', 'A favourite with our customers', 'Made to last', 'Great value for the price', 'Perfect as a gift'];
const ORIGINS = ['Bangladesh', 'Bangladesh', 'Bangladesh', 'India', 'China', 'Thailand'];
export const DIVISIONS = ['Dhaka', 'Chattogram', 'Khulna', 'Rajshahi', 'Sylhet', 'Barishal', 'Rangpur', 'Mymensingh'] as const;

/** Prices the API accepts and the issue asks for: ৳ 50 to ৳ 50,000. */
const MIN_PRICE_POISHA = 5_000;
const MAX_PRICE_POISHA = 5_000_000;

/** Shares of products: titles in Bangla, none in stock, no brand, a compare-at price. */
const BANGLA_SHARE = 0.1;
const OUT_OF_STOCK_SHARE = 0.1;
const NO_BRAND_SHARE = 0.1;
const COMPARE_AT_SHARE = 0.25;
/** Zipf exponent of the leaves' popularity. */
const ZIPF_EXPONENT = 0.8;

/** The ids the setup got for the tree: roots[r], and leaves[r][l] for CATEGORY_TREE[r].leaves[l]. */
export interface CategoryIds {
  roots: string[];
  leaves: string[][];
}

export interface CatalogSpec {
  seed: number;
  products: number;
  shops: readonly string[];
  categories: CategoryIds;
}

/** A product ready to post: its shop (whose owner's token goes with it) and the request body. */
export interface ProductToPost {
  shopId: string;
  body: string;
}

export interface CatalogStats {
  products: number;
  variants: number;
  banglaTitles: number;
  outOfStock: number;
  noBrand: number;
  /** Products per leaf slug, most first. */
  perLeaf: Array<{ slug: string; products: number }>;
  bodyBytes: number;
}

export interface LeafRef {
  root: number;
  leaf: number;
}

export const ALL_LEAVES: readonly LeafRef[] = CATEGORY_TREE.flatMap((root, r) => root.leaves.map((_, l) => ({ root: r, leaf: l })));

export function leafSpec(ref: LeafRef): LeafSpec {
  return (CATEGORY_TREE[ref.root] as RootSpec).leaves[ref.leaf] as LeafSpec;
}

/** The leaves in order of popularity (a shuffle, so that the popular ones are not all in one root) and their cumulative Zipf weights. */
function leafPopularity(seed: number): { order: LeafRef[]; cumulative: number[] } {
  const order = random(seed, 0x1eaf).shuffle(ALL_LEAVES);
  return { order, cumulative: cumulativeOf(order.map((_, rank) => 1 / (rank + 1) ** ZIPF_EXPONENT)) };
}

const wholeTaka = (poisha: number) => Math.round(poisha / 100) * 100;
const clampPrice = (poisha: number) => Math.min(MAX_PRICE_POISHA, Math.max(MIN_PRICE_POISHA, wholeTaka(poisha)));

/** Uniform on a log scale between the leaf's bounds, in poisha. */
function priceIn(r: Random, [min, max]: readonly [number, number]): number {
  return clampPrice(Math.exp(Math.log(min * 100) + r.next() * (Math.log(max * 100) - Math.log(min * 100))));
}

/** Product `index` of the catalogue: the same for the same seed, whatever else is generated. */
export function productAt(spec: CatalogSpec, index: number, popularity = leafPopularity(spec.seed)) {
  const r = random(spec.seed, index + 1);
  const ref = popularity.order[r.weighted(popularity.cumulative)] as LeafRef;
  const root = CATEGORY_TREE[ref.root] as RootSpec;
  const category = leafSpec(ref);
  const shopId = r.pick(spec.shops);
  const brand = r.chance(NO_BRAND_SHARE) ? null : (root.brands[r.weighted([0.5, 0.8, 1])] as string);
  const attribute = r.pick(root.attribute.values);
  const noun = r.pick(category.nouns);
  const inBangla = r.chance(BANGLA_SHARE);

  let title: string;
  if (inBangla) {
    const banglaNoun = r.pick(category.bangla);
    // A title needs three characters: 'চা' (tea) alone has two.
    const adjective = r.chance(0.6) || banglaNoun.length < 3 ? r.pick(BANGLA_ADJECTIVES) : null;
    title = [adjective, banglaNoun].filter(Boolean).join(' ') + (r.chance(0.5) ? ` | ${noun}` : '');
  } else {
    const words = [brand && r.chance(0.3) ? brand : null, r.chance(0.7) ? r.pick(ADJECTIVES) : null, r.chance(0.8) ? attribute : null, noun];
    title = words.filter(Boolean).join(' ') + (r.chance(0.2) ? r.pick(SUFFIXES) : '');
  }
  const division = r.pick(DIVISIONS);
  const days = r.int(1, 5);
  const description =
    `${title}. ${capitalise(root.attribute.name)}: ${attribute}. ${r.pick(PHRASES)}. Ships from ${division} within ${days} day${days === 1 ? '' : 's'}; cash on delivery available.` +
    (inBangla ? ' সারা দেশে হোম ডেলিভারি।' : '');

  const variantCount = 1 + r.weighted([0.5, 0.8, 1]);
  const optionValues = r.shuffle(root.option.values).slice(0, variantCount);
  const basePrice = priceIn(r, category.priceTaka);
  const outOfStock = r.chance(OUT_OF_STOCK_SHARE);
  const skuBase = `BD-${index.toString(36).toUpperCase()}`;
  const variants = optionValues.map((value, v) => {
    const amount = clampPrice(basePrice * (1 + 0.08 * v));
    const compareAt = r.chance(COMPARE_AT_SHARE) ? wholeTaka(amount * (1.1 + r.next() * 0.3)) : null;
    const stock = outOfStock || r.chance(0.08) ? 0 : Math.floor(Math.exp(r.next() * Math.log(250)));
    return {
      sku: `${skuBase}-${v + 1}`,
      options: { [root.option.name]: value },
      price: { amount, currency: 'BDT' as const },
      ...(compareAt !== null && compareAt > amount ? { compareAtPrice: { amount: compareAt, currency: 'BDT' as const } } : {}),
      ...(r.chance(0.7) ? { weightGrams: r.int(50, 5_000) } : {}),
      stock,
    };
  });
  const images = Array.from({ length: r.int(1, 4) }, (_, n) => `https://cdn.bdbazar.com.bd/bench/${skuBase.toLowerCase()}/${n + 1}.jpg`);

  const body = {
    shopId,
    title,
    description,
    categoryId: (spec.categories.leaves[ref.root] as string[])[ref.leaf] as string,
    images,
    ...(brand ? { brand } : {}),
    attributes: { [root.attribute.name]: attribute, origin: r.pick(ORIGINS) },
    variants,
    publish: true,
  };
  return { body, ref, inBangla, outOfStock: variants.every((v) => v.stock === 0), brand };
}

/** Every product of the catalogue, serialised, with what the report says about them. */
export function generateCatalog(spec: CatalogSpec): { products: ProductToPost[]; stats: CatalogStats } {
  const popularity = leafPopularity(spec.seed);
  const perLeaf = new Map<string, number>();
  const stats: CatalogStats = { products: spec.products, variants: 0, banglaTitles: 0, outOfStock: 0, noBrand: 0, perLeaf: [], bodyBytes: 0 };
  const products: ProductToPost[] = [];
  for (let index = 0; index < spec.products; index++) {
    const product = productAt(spec, index, popularity);
    const body = JSON.stringify(product.body);
    products.push({ shopId: product.body.shopId, body });
    const slug = leafSpec(product.ref).slug;
    perLeaf.set(slug, (perLeaf.get(slug) ?? 0) + 1);
    stats.variants += product.body.variants.length;
    if (product.inBangla) stats.banglaTitles++;
    if (product.outOfStock) stats.outOfStock++;
    if (!product.brand) stats.noBrand++;
    stats.bodyBytes += Buffer.byteLength(body);
  }
  stats.perLeaf = [...perLeaf].map(([slug, count]) => ({ slug, products: count })).sort((a, b) => b.products - a.products);
  return { products, stats };
}

function capitalise(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}
