/**
 * A product's details as a request carries them (already held to the OpenAPI schema), turned into
 * what the events record, with each variant's opening stock beside them: text in one Unicode form
 * and tidied, SKUs upper-cased, and the rules OpenAPI cannot check (lengths once trimmed, public
 * https images, SKUs and option values unique within the product, a compare-at price above the
 * price). Pure, so that it is tested alone. Every refusal names the field (`variants[2].price.amount`).
 */
import { ValidationError, canonicalJson, checkedPrice, publicHttpsUrlProblem, type Money } from '@bdbazar/shared-kernel';
import type { ProductDetails, VariantDetails } from '../product';

export const TITLE_MIN_LENGTH = 3;
export const TITLE_MAX_LENGTH = 150;
export const DESCRIPTION_MAX_LENGTH = 5000;
export const BRAND_MAX_LENGTH = 80;
export const MAX_IMAGES = 10;
export const MAX_VARIANTS = 100;
export const MAX_ATTRIBUTES = 30;
export const MAX_OPTIONS = 10;
/** Of an option's or attribute's name (`size`, `material`), once tidied. */
export const NAME_MAX_LENGTH = 40;
/** Of an option's or attribute's value (`XL`, `Cotton`), once tidied. */
export const VALUE_MAX_LENGTH = 200;
export const MAX_WEIGHT_GRAMS = 1_000_000;
/** The most units of one variant a seller may hold on hand. */
export const MAX_STOCK = 1_000_000;
/** After upper-casing: letters, digits, `.`, `_`, `/`, `-`, starting with a letter or digit, 1 to 64 long. */
export const SKU_PATTERN = /^[A-Z0-9][A-Z0-9._/-]{0,63}$/;

/** One variant as the request carries it. */
export interface VariantInput {
  sku: string;
  options?: Record<string, string>;
  price: Money;
  compareAtPrice?: Money | null;
  weightGrams?: number | null;
  /** Opening stock on hand: used for a new listing and for SKUs a change adds; 0 if absent. */
  stock?: number;
}

/** The body of POST /v1/products and PUT /v1/products/{id}. */
export interface ProductDetailsInput {
  title: string;
  description?: string | null;
  categoryId: string;
  images?: string[];
  brand?: string | null;
  attributes?: Record<string, string>;
  variants: VariantInput[];
}

export interface ProductDetailsFromInput {
  details: ProductDetails;
  /** Opening stock on hand by SKU (as upper-cased), one entry per variant. */
  openingStock: Record<string, number>;
}

/** One space between words, none around them; the same letters in the same (NFC) form however typed. */
export function tidyText(text: string): string {
  return text.normalize('NFC').trim().replace(/\s+/gu, ' ');
}

/** A SKU as the product records it: trimmed and upper-cased (`ts-red-m ` is `TS-RED-M`). */
export function skuFrom(value: string): string {
  return value.trim().toUpperCase();
}

const lengthOf = (text: string): number => [...text].length;

export function productDetailsFrom(input: ProductDetailsInput): ProductDetailsFromInput {
  const title = tidyText(input.title);
  const titleLength = lengthOf(title);
  if (titleLength < TITLE_MIN_LENGTH || titleLength > TITLE_MAX_LENGTH) {
    throw new ValidationError(`A product title needs ${TITLE_MIN_LENGTH} to ${TITLE_MAX_LENGTH} characters besides spaces around it; "${shorten(title)}" has ${titleLength}.`, { field: 'title' });
  }
  const description = input.description?.normalize('NFC').trim() || null;
  if (description !== null && lengthOf(description) > DESCRIPTION_MAX_LENGTH) {
    throw new ValidationError(`description may have at most ${DESCRIPTION_MAX_LENGTH} characters; it has ${lengthOf(description)}.`, { field: 'description' });
  }
  const brand = input.brand ? tidyText(input.brand) || null : null;
  if (brand !== null && lengthOf(brand) > BRAND_MAX_LENGTH) {
    throw new ValidationError(`brand may have at most ${BRAND_MAX_LENGTH} characters; "${shorten(brand)}" has ${lengthOf(brand)}.`, { field: 'brand' });
  }
  const images = imagesFrom(input.images ?? []);
  const attributes = textRecord(input.attributes ?? {}, 'attributes', MAX_ATTRIBUTES, 'attributes');
  const { variants, openingStock } = variantsFrom(input.variants);
  return { details: { title, description, categoryId: input.categoryId, images, brand, attributes, variants }, openingStock };
}

function imagesFrom(urls: string[]): string[] {
  if (urls.length > MAX_IMAGES) throw new ValidationError(`images may hold at most ${MAX_IMAGES} URLs; it has ${urls.length}.`, { field: 'images' });
  const seen = new Map<string, number>();
  return urls.map((value, index) => {
    const field = `images[${index}]`;
    const problem = publicHttpsUrlProblem(value.trim());
    if (problem) throw new ValidationError(`${field} ${problem}`, { field, value });
    const href = new URL(value.trim()).href;
    const first = seen.get(href);
    if (first !== undefined) throw new ValidationError(`${field} is the same image as images[${first}]; give each image once.`, { field, value });
    seen.set(href, index);
    return href;
  });
}

function variantsFrom(inputs: VariantInput[]): { variants: VariantDetails[]; openingStock: Record<string, number> } {
  if (inputs.length === 0) throw new ValidationError('A product needs at least one variant, with its SKU and price.', { field: 'variants' });
  if (inputs.length > MAX_VARIANTS) {
    throw new ValidationError(`A product may have at most ${MAX_VARIANTS} variants; this one has ${inputs.length}. Split it into several products.`, { field: 'variants' });
  }
  const variants = inputs.map((input, index) => variantFrom(input, index));
  const skus = new Map<string, number>();
  const optionSets = new Map<string, number>();
  const optionNames = Object.keys(variants[0]!.options);
  variants.forEach((variant, index) => {
    const firstWithSku = skus.get(variant.sku);
    if (firstWithSku !== undefined) {
      throw new ValidationError(`variants[${index}].sku ${variant.sku} is also the SKU of variants[${firstWithSku}]; every variant needs its own SKU.`, {
        field: `variants[${index}].sku`,
        sku: variant.sku,
      });
    }
    skus.set(variant.sku, index);

    const names = Object.keys(variant.options);
    if (!sameNames(names, optionNames)) {
      throw new ValidationError(
        `variants[${index}].options names ${listOf(names)} but variants[0].options names ${listOf(optionNames)}; every variant needs a value for the same options, so that buyers can choose between them.`,
        { field: `variants[${index}].options` },
      );
    }
    const values = canonicalJson(Object.fromEntries(Object.entries(variant.options).map(([name, value]) => [name, value.toLowerCase()])));
    const firstWithValues = optionSets.get(values);
    if (firstWithValues !== undefined) {
      throw new ValidationError(
        names.length === 0
          ? `variants[${index}] and variants[${firstWithValues}] have no options to tell them apart; give every variant an option value of its own, such as { "size": "M" }.`
          : `variants[${index}] has the same options as variants[${firstWithValues}] (${describe(variant.options)}); two variants must differ in at least one option value.`,
        { field: `variants[${index}].options` },
      );
    }
    optionSets.set(values, index);
  });
  const openingStock = Object.fromEntries(inputs.map((input, index) => [variants[index]!.sku, openingStockOf(input.stock, index)]));
  return { variants, openingStock };
}

function variantFrom(input: VariantInput, index: number): VariantDetails {
  const at = `variants[${index}]`;
  const sku = skuFrom(input.sku);
  if (!SKU_PATTERN.test(sku)) {
    throw new ValidationError(
      `${at}.sku "${shorten(sku)}" is not a SKU bdbazar accepts: use 1 to 64 letters A-Z, digits and the signs . _ / -, starting with a letter or digit (such as TS-RED-M).`,
      { field: `${at}.sku`, value: input.sku },
    );
  }
  const options = textRecord(input.options ?? {}, `${at}.options`, MAX_OPTIONS, 'options');
  const price = checkedPrice(input.price, `${at}.price`);
  let compareAtPrice: Money | null = null;
  if (input.compareAtPrice !== undefined && input.compareAtPrice !== null) {
    compareAtPrice = checkedPrice(input.compareAtPrice, `${at}.compareAtPrice`);
    if (compareAtPrice.amount <= price.amount) {
      throw new ValidationError(
        `${at}.compareAtPrice.amount (${compareAtPrice.amount} poisha) must be more than the price (${price.amount} poisha): it is the "was" price shown struck through. Leave it out if the variant is not reduced.`,
        { field: `${at}.compareAtPrice.amount` },
      );
    }
  }
  const weightGrams = input.weightGrams ?? null;
  if (weightGrams !== null && !(Number.isSafeInteger(weightGrams) && weightGrams >= 1 && weightGrams <= MAX_WEIGHT_GRAMS)) {
    throw new ValidationError(`${at}.weightGrams must be a whole number of grams from 1 to ${MAX_WEIGHT_GRAMS}, or null if you do not know it; got ${weightGrams}.`, {
      field: `${at}.weightGrams`,
    });
  }
  return { sku, options, price, compareAtPrice, weightGrams };
}

function openingStockOf(stock: number | undefined, index: number): number {
  if (stock === undefined) return 0;
  if (!(Number.isSafeInteger(stock) && stock >= 0 && stock <= MAX_STOCK)) {
    throw new ValidationError(`variants[${index}].stock must be a whole number of units from 0 to ${MAX_STOCK}; got ${stock}.`, { field: `variants[${index}].stock` });
  }
  return stock;
}

/** Names and values tidied, none blank or too long, no name twice (in any case), at most `max` of them. */
function textRecord(record: Record<string, string>, field: string, max: number, what: string): Record<string, string> {
  const entries = Object.entries(record);
  if (entries.length > max) throw new ValidationError(`${field} may have at most ${max} ${what}; it has ${entries.length}.`, { field });
  const names = new Map<string, string>();
  const tidied: Record<string, string> = {};
  for (const [rawName, rawValue] of entries) {
    const path = pathOf(field, rawName);
    const name = tidyText(rawName);
    const value = tidyText(rawValue);
    if (name === '') throw new ValidationError(`${field} has a blank name; give each of its ${what} a name.`, { field: path });
    if (lengthOf(name) > NAME_MAX_LENGTH) throw new ValidationError(`${field} names may have at most ${NAME_MAX_LENGTH} characters; "${shorten(name)}" has ${lengthOf(name)}.`, { field: path });
    if (value === '') throw new ValidationError(`${path} is blank; give it a value or leave it out.`, { field: path });
    if (lengthOf(value) > VALUE_MAX_LENGTH) throw new ValidationError(`${path} may have at most ${VALUE_MAX_LENGTH} characters; it has ${lengthOf(value)}.`, { field: path });
    const same = names.get(name.toLowerCase());
    if (same !== undefined) throw new ValidationError(`${field} names "${same}" and "${rawName}" are the same name once tidied; give each once.`, { field: path });
    names.set(name.toLowerCase(), rawName);
    tidied[name] = value;
  }
  return tidied;
}

/** `attributes.material`, or `attributes["Fabric type"]` for a name that is not an identifier. */
const pathOf = (field: string, name: string): string => (/^[A-Za-z_$][\w$]*$/.test(name) ? `${field}.${name}` : `${field}[${JSON.stringify(name)}]`);

const sameNames = (a: string[], b: string[]): boolean => a.length === b.length && a.every((name) => b.includes(name));

const listOf = (names: string[]): string => (names.length === 0 ? 'no options' : names.map((name) => `"${name}"`).join(', '));

const describe = (options: Record<string, string>): string =>
  Object.entries(options)
    .map(([name, value]) => `${name}: ${value}`)
    .join(', ');

/** A long text quoted in a message: its first 40 characters. */
const shorten = (text: string): string => (lengthOf(text) > 40 ? `${[...text].slice(0, 40).join('')}…` : text);
