import { ValidationError, poisha, type Money } from '@bdbazar/shared-kernel';
import { L, M, details, detailsInput, openingStock, variant, variantInput } from '../testing/productBuilders';
import { MAX_IMAGES, productDetailsFrom, skuFrom, tidyText, type ProductDetailsInput } from './productDetails';

/** The ValidationError the input is refused with. */
function refusal(input: ProductDetailsInput): ValidationError {
  try {
    productDetailsFrom(input);
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error('Expected a ValidationError, but the input was accepted.');
}

const withVariants = (...variants: ProductDetailsInput['variants']) => detailsInput({ variants });
const redL = (overrides: Parameters<typeof variantInput>[0] = {}) => variantInput({ sku: L, options: { colour: 'Red', size: 'L' }, stock: 5, ...overrides });

describe('product details from a request', () => {
  it('records what the request says, with the opening stock of each variant beside it', () =>
    expect(productDetailsFrom(detailsInput())).toEqual({ details: details(), openingStock }));

  it('gives absent fields their empty values and a variant without stock none', () => {
    const input: ProductDetailsInput = { title: 'Cotton T-shirt', categoryId: details().categoryId, variants: [{ sku: 'ts-1', price: poisha(85_000) }] };
    expect(productDetailsFrom(input)).toEqual({
      details: details({ description: null, images: [], brand: null, attributes: {}, variants: [variant({ sku: 'TS-1', options: {}, compareAtPrice: null, weightGrams: null })] }),
      openingStock: { 'TS-1': 0 },
    });
  });

  it('tidies the text: spaces, Unicode form, SKU case, option and attribute names and values', () => {
    const input = detailsInput({
      title: '  Cotton \t T-shirt ',
      description: '   ',
      brand: '  ',
      images: [' https://cdn.bdbazar.com.bd/p/ts-red-front.jpg '],
      attributes: { ' material ': '  Cotton ' },
      variants: [variantInput({ sku: ' ts-red-m ', options: { ' colour': 'Red ', 'size ': '  M' } }), redL({ sku: 'Ts-Red-L' })],
    });
    expect(productDetailsFrom(input).details).toEqual(details({ description: null, brand: null }));
    expect(tidyText('Cafe\u0301   Dhaka ')).toBe('Café Dhaka');
    expect(skuFrom(' ts/red_m.1 ')).toBe('TS/RED_M.1');
  });

  describe('the title and description', () => {
    it('refuses a title shorter than 3 characters once tidied, or longer than 150', () => {
      expect(productDetailsFrom(detailsInput({ title: '  T   s ' })).details.title).toBe('T s');
      expect(refusal(detailsInput({ title: ' ab ' })).message).toBe('A product title needs 3 to 150 characters besides spaces around it; "ab" has 2.');
      expect(refusal(detailsInput({ title: 'x'.repeat(151) })).details).toEqual({ field: 'title' });
    });

    it('counts a Bangla title by its characters', () => expect(productDetailsFrom(detailsInput({ title: 'শাড়ি' })).details.title).toBe('শাড়ি'));

    it('refuses a description longer than 5000 characters', () =>
      expect(refusal(detailsInput({ description: 'a'.repeat(5001) }))).toMatchObject({ message: 'description may have at most 5000 characters; it has 5001.', details: { field: 'description' } }));
  });

  describe('the images', () => {
    it(`takes at most ${MAX_IMAGES}`, () => {
      const images = Array.from({ length: MAX_IMAGES + 1 }, (_, i) => `https://cdn.bdbazar.com.bd/p/${i}.jpg`);
      expect(refusal(detailsInput({ images }))).toMatchObject({ message: 'images may hold at most 10 URLs; it has 11.', details: { field: 'images' } });
      expect(productDetailsFrom(detailsInput({ images: images.slice(1) })).details.images).toEqual(images.slice(1));
    });

    it.each([
      ['http://cdn.bdbazar.com.bd/p/1.jpg', /^images\[1\] must be an https:\/\/ URL/],
      ['https://10.0.0.7/p/1.jpg', /^images\[1\] must point at a public host/],
      ['not a url', /^images\[1\] is not a URL/],
    ])('refuses %s, naming the image', (url, message) => {
      const refused = refusal(detailsInput({ images: ['https://cdn.bdbazar.com.bd/p/0.jpg', url] }));
      expect(refused.message).toMatch(message);
      expect(refused.details).toEqual({ field: 'images[1]', value: url });
    });

    it('refuses the same image twice, however written', () =>
      expect(refusal(detailsInput({ images: ['https://cdn.bdbazar.com.bd/p/0.jpg', 'https://CDN.bdbazar.com.bd:443/p/0.jpg'] }))).toMatchObject({
        message: 'images[1] is the same image as images[0]; give each image once.',
        details: { field: 'images[1]' },
      }));
  });

  describe('the variants', () => {
    it('needs 1 to 100 of them', () => {
      expect(refusal(withVariants()).message).toBe('A product needs at least one variant, with its SKU and price.');
      const many = Array.from({ length: 101 }, (_, i) => variantInput({ sku: `TS-${i}`, options: { size: String(i) } }));
      expect(refusal(withVariants(...many))).toMatchObject({ message: /at most 100 variants; this one has 101/, details: { field: 'variants' } });
      expect(productDetailsFrom(withVariants(...many.slice(1))).details.variants).toHaveLength(100);
    });

    it.each(['TS RED', '-TS', 'TS#1', 'T'.repeat(65), 'শাড়ি-1', ''])('refuses the SKU "%s"', (sku) => {
      const refused = refusal(withVariants(variantInput(), redL({ sku })));
      expect(refused.message).toMatch(/^variants\[1\]\.sku ".*" is not a SKU bdbazar accepts/);
      expect(refused.details).toEqual({ field: 'variants[1].sku', value: sku });
    });

    it('refuses a SKU twice in one product, in any case, naming it', () =>
      expect(refusal(withVariants(variantInput(), redL({ sku: 'ts-red-m' })))).toEqual(
        new ValidationError('variants[1].sku TS-RED-M is also the SKU of variants[0]; every variant needs its own SKU.'),
      ));

    it('refuses two variants with the same option values, in any case', () =>
      expect(refusal(withVariants(variantInput(), redL({ options: { colour: 'red', size: 'm' } })))).toMatchObject({
        message: 'variants[1] has the same options as variants[0] (colour: red, size: m); two variants must differ in at least one option value.',
        details: { field: 'variants[1].options' },
      }));

    it('refuses two variants with nothing to tell them apart', () =>
      expect(refusal(withVariants(variantInput({ options: {} }), redL({ options: {} }))).message).toMatch(/^variants\[1\] and variants\[0\] have no options to tell them apart/));

    it('refuses variants that name different options', () =>
      expect(refusal(withVariants(variantInput(), redL({ options: { colour: 'Red', fit: 'Slim' } })))).toMatchObject({
        message: /^variants\[1\]\.options names "colour", "fit" but variants\[0\]\.options names "colour", "size"; every variant needs a value for the same options/,
        details: { field: 'variants[1].options' },
      }));

    it.each([
      [{ amount: 0, currency: 'BDT' }, 'variants[1].price.amount', /must be more than 0 poisha/],
      [{ amount: 850.5, currency: 'BDT' }, 'variants[1].price.amount', /must be a whole number of poisha/],
      [{ amount: 85_000, currency: 'USD' }, 'variants[1].price.currency', /must be BDT/],
    ])('refuses the price %j, naming the field', (price, field, message) => {
      const refused = refusal(withVariants(variantInput(), redL({ price: price as Money })));
      expect(refused.message).toMatch(message);
      expect(refused.details).toEqual({ field });
    });

    it('refuses a compare-at price that is not above the price, and takes none', () => {
      expect(refusal(withVariants(variantInput(), redL({ compareAtPrice: poisha(85_000) })))).toMatchObject({
        message: 'variants[1].compareAtPrice.amount (85000 poisha) must be more than the price (85000 poisha): it is the "was" price shown struck through. Leave it out if the variant is not reduced.',
        details: { field: 'variants[1].compareAtPrice.amount' },
      });
      expect(refusal(withVariants(variantInput(), redL({ compareAtPrice: poisha(-1) }))).details).toEqual({ field: 'variants[1].compareAtPrice.amount' });
      expect(productDetailsFrom(withVariants(variantInput({ compareAtPrice: null }))).details.variants[0]!.compareAtPrice).toBeNull();
    });

    it.each([0, 1.5, 1_000_001, -3])('refuses a weight of %d grams', (weightGrams) =>
      expect(refusal(withVariants(variantInput(), redL({ weightGrams })))).toMatchObject({ message: /^variants\[1\]\.weightGrams must be a whole number of grams from 1 to 1000000/, details: { field: 'variants[1].weightGrams' } }));

    it('takes weights of 1 gram to a tonne, and an unknown weight', () =>
      expect(productDetailsFrom(withVariants(variantInput({ weightGrams: 1 }), redL({ weightGrams: 1_000_000 }), variantInput({ sku: 'TS-RED-S', options: { colour: 'Red', size: 'S' }, weightGrams: null }))).details.variants.map((v) => v.weightGrams)).toEqual([1, 1_000_000, null]));

    it.each([-1, 2.5, 1_000_001])('refuses an opening stock of %d', (stock) =>
      expect(refusal(withVariants(variantInput(), redL({ stock })))).toMatchObject({ message: `variants[1].stock must be a whole number of units from 0 to 1000000; got ${stock}.`, details: { field: 'variants[1].stock' } }));

    it('takes opening stock of 0 to 1,000,000 by SKU', () =>
      expect(productDetailsFrom(withVariants(variantInput({ stock: 0 }), redL({ stock: 1_000_000 }))).openingStock).toEqual({ [M]: 0, [L]: 1_000_000 }));
  });

  describe('options and attributes', () => {
    it('takes at most 30 attributes and 10 options', () => {
      const attributes = Object.fromEntries(Array.from({ length: 31 }, (_, i) => [`fact${i}`, 'yes']));
      expect(refusal(detailsInput({ attributes }))).toMatchObject({ message: 'attributes may have at most 30 attributes; it has 31.', details: { field: 'attributes' } });
      const options = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`option${i}`, 'x']));
      expect(refusal(withVariants(variantInput({ options })))).toMatchObject({ message: 'variants[0].options may have at most 10 options; it has 11.', details: { field: 'variants[0].options' } });
    });

    it('refuses a blank value, naming it', () => {
      expect(refusal(detailsInput({ attributes: { 'Fabric type': '  ' } }))).toMatchObject({ message: 'attributes["Fabric type"] is blank; give it a value or leave it out.', details: { field: 'attributes["Fabric type"]' } });
      expect(refusal(withVariants(variantInput(), redL({ options: { colour: 'Red', size: ' ' } }))).details).toEqual({ field: 'variants[1].options.size' });
    });

    it('refuses a blank name, and one name twice once tidied', () => {
      expect(refusal(detailsInput({ attributes: { ' ': 'Cotton' } })).message).toBe('attributes has a blank name; give each of its attributes a name.');
      expect(refusal(detailsInput({ attributes: { material: 'Cotton', ' Material ': 'Silk' } }))).toMatchObject({
        message: 'attributes names "material" and " Material " are the same name once tidied; give each once.',
        details: { field: 'attributes[" Material "]' },
      });
    });

    it('refuses names longer than 40 characters and values longer than 200', () => {
      expect(refusal(detailsInput({ attributes: { ['n'.repeat(41)]: 'x' } })).message).toMatch(/^attributes names may have at most 40 characters/);
      expect(refusal(detailsInput({ attributes: { material: 'v'.repeat(201) } }))).toMatchObject({ message: 'attributes.material may have at most 200 characters; it has 201.' });
    });
  });
});
