import { ValidationError } from '@bdbazar/shared-kernel';
import { details, detailsInput, shopId } from '../testing/shopBuilders';
import { shopDetailsFrom, tidyName } from './shopDetails';

describe('shop details from a request', () => {
  it('records what the request says, with the slug derived and absent fields as null', () => expect(shopDetailsFrom(detailsInput(), shopId)).toEqual(details()));

  it('tidies the text: spaces around and between words, an empty description', () => {
    const tidy = shopDetailsFrom(detailsInput({ name: '  Mim   Fashion\tHouse ', description: '   ', location: { division: 'Dhaka', district: ' Dhaka ', addressLine: ' Level 4 ' } }), shopId);
    expect(tidy).toEqual(details({ description: null, location: { division: 'Dhaka', district: 'Dhaka', addressLine: 'Level 4' } }));
    expect(tidyName('Cafe\u0301 Dhaka')).toBe('Café Dhaka');
  });

  it('refuses a name shorter than 3 characters once trimmed', () => expect(() => shopDetailsFrom(detailsInput({ name: '  ab   ' }), shopId)).toThrow(new ValidationError('A shop name needs 3 to 80 characters besides spaces around it; "ab" has 2.')));

  it('counts a Bangla name by its characters', () => expect(shopDetailsFrom(detailsInput({ name: 'মিম' }), shopId).slug).toBe('shop-00000000a001'));

  it.each([
    ['logoUrl', 'http://cdn.bdbazar.com.bd/logo.png', /branding\.logoUrl must be an https:\/\/ URL/],
    ['bannerUrl', 'https://192.168.1.5/banner.jpg', /branding\.bannerUrl must point at a public host/],
  ] as const)('refuses a %s that is not a public https URL, naming the field', (field, url, message) => {
    let refused: unknown;
    try {
      shopDetailsFrom(detailsInput({ branding: { [field]: url } }), shopId);
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(ValidationError);
    expect((refused as ValidationError).message).toMatch(message);
    expect((refused as ValidationError).details).toEqual({ field: `branding.${field}`, value: url });
  });
});
