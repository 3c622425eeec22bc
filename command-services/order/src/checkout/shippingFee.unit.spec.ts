import { poisha } from '@bdbazar/shared-kernel';
import { shippingFee, type Parcel } from './shippingFee';

const gulshan = { division: 'Dhaka', district: 'Dhaka' };
const gazipur = { division: 'Dhaka', district: 'Gazipur' };
const chattogram = { division: 'Chattogram', district: 'Chattogram' };
/** 1 kg in all: inside the first kilogram, which the base fee covers. */
const oneKilogram = [{ quantity: 4, weightGrams: 250 }];

const parcel = (overrides: Partial<Parcel> = {}): Parcel => ({ from: gulshan, to: gulshan, lines: oneKilogram, ...overrides });

describe('the shipping fee of a shop\'s parcel', () => {
  describe('by how far it goes', () => {
    it('charges ৳60 within the shop\'s district', () => expect(shippingFee(parcel())).toEqual(poisha(6_000)));

    it('charges ৳100 to another district of the same division', () => expect(shippingFee(parcel({ to: gazipur }))).toEqual(poisha(10_000)));

    it('charges ৳130 to another division', () => expect(shippingFee(parcel({ to: chattogram }))).toEqual(poisha(13_000)));

    it('charges the rate across divisions for a district of the same name in another division', () =>
      expect(shippingFee(parcel({ to: { division: 'Khulna', district: 'Dhaka' } }))).toEqual(poisha(13_000)));

    it('reads names whatever their case and spaces around them', () => {
      expect(shippingFee(parcel({ to: { division: ' dhaka ', district: 'DHAKA  ' } }))).toEqual(poisha(6_000));
      expect(shippingFee(parcel({ from: { division: 'DHAKA', district: ' gazipur' }, to: { division: 'Dhaka ', district: 'Narayanganj' } }))).toEqual(poisha(10_000));
    });
  });

  describe('by weight', () => {
    it('includes the first kilogram: 1000 g cost no more', () => expect(shippingFee(parcel({ lines: [{ quantity: 1, weightGrams: 1000 }] }))).toEqual(poisha(6_000)));

    it('charges ৳20 for each kilogram begun after the first: 1001 g cost one more', () =>
      expect(shippingFee(parcel({ lines: [{ quantity: 1, weightGrams: 1001 }] }))).toEqual(poisha(8_000)));

    it('weighs every unit of every line', () =>
      // 3 × 700 g + 2 × 450 g = 3000 g: two kilograms after the first.
      expect(
        shippingFee(
          parcel({
            to: chattogram,
            lines: [
              { quantity: 3, weightGrams: 700 },
              { quantity: 2, weightGrams: 450 },
            ],
          }),
        ),
      ).toEqual(poisha(13_000 + 2 * 2_000)));

    it('counts 500 g for each unit whose weight the seller did not give', () => {
      expect(shippingFee(parcel({ lines: [{ quantity: 2, weightGrams: null }] }))).toEqual(poisha(6_000));
      expect(shippingFee(parcel({ lines: [{ quantity: 3, weightGrams: null }] }))).toEqual(poisha(8_000));
      expect(shippingFee(parcel({ to: gazipur, lines: [{ quantity: 1, weightGrams: null }, { quantity: 1, weightGrams: 600 }] }))).toEqual(poisha(12_000));
    });

    it('takes a weight of 0 g as given, not as unknown', () => expect(shippingFee(parcel({ lines: [{ quantity: 5, weightGrams: 0 }, { quantity: 1, weightGrams: 1000 }] }))).toEqual(poisha(6_000)));
  });
});
