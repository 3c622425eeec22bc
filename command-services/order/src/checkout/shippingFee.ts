/**
 * The shipping fee of one shop's parcel, the way Bangladeshi couriers price it: by how far it goes
 * (within the shop's district, within its division, or across divisions) and by weight (the first
 * kilogram included, then a charge per started kilogram). In poisha.
 */
import { poisha, type Money } from '@bdbazar/shared-kernel';

export const SHIPPING_RATES = {
  sameDistrict: 6_000,
  sameDivision: 10_000,
  elsewhere: 13_000,
  perExtraKilogram: 2_000,
  /** Weight counted for a variant whose seller gave none. */
  unknownWeightGrams: 500,
} as const;

export interface Parcel {
  from: { division: string; district: string };
  to: { division: string; district: string };
  lines: ReadonlyArray<{ quantity: number; weightGrams: number | null }>;
}

const same = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();

export function shippingFee({ from, to, lines }: Parcel): Money {
  const base = same(from.district, to.district) && same(from.division, to.division) ? SHIPPING_RATES.sameDistrict : same(from.division, to.division) ? SHIPPING_RATES.sameDivision : SHIPPING_RATES.elsewhere;
  const grams = lines.reduce((sum, line) => sum + line.quantity * (line.weightGrams ?? SHIPPING_RATES.unknownWeightGrams), 0);
  const extraKilograms = Math.max(0, Math.ceil(grams / 1000) - 1);
  return poisha(base + extraKilograms * SHIPPING_RATES.perExtraKilogram);
}
