/**
 * A shop's details as a request carries them (already held to openapi/shop.yaml), turned into
 * what the events record: text trimmed, the name's spacing tidied, the slug derived, and the
 * branding URLs checked for what OpenAPI cannot check. Pure, so that it is tested alone.
 */
import { ValidationError, publicHttpsUrlProblem, slugOf } from '@bdbazar/shared-kernel';
import type { Division, PickupAddress, ShopDetails } from '../shop';

export const NAME_MIN_LENGTH = 3;
export const NAME_MAX_LENGTH = 80;

/** The body of POST /v1/shops and PUT /v1/shops/{id}. */
export interface ShopDetailsInput {
  name: string;
  description?: string | null;
  branding?: { logoUrl?: string | null; bannerUrl?: string | null };
  contact: { phone: string; email: string };
  location: { division: Division; district: string; addressLine: string };
  pickupAddress: Omit<PickupAddress, 'area' | 'line2' | 'postcode'> & Partial<Pick<PickupAddress, 'area' | 'line2' | 'postcode'>>;
}

/** One space between words, none around them; the same letters in the same (NFC) form however typed. */
export function tidyName(name: string): string {
  return name.normalize('NFC').trim().replace(/\s+/gu, ' ');
}

export function shopDetailsFrom(input: ShopDetailsInput, shopId: string): ShopDetails {
  const name = tidyName(input.name);
  const length = [...name].length;
  if (length < NAME_MIN_LENGTH || length > NAME_MAX_LENGTH) {
    throw new ValidationError(`A shop name needs ${NAME_MIN_LENGTH} to ${NAME_MAX_LENGTH} characters besides spaces around it; "${name}" has ${length}.`, { field: 'name' });
  }
  const description = input.description?.trim() || null;
  const { pickupAddress: pickup } = input;
  return {
    name,
    slug: slugOf(name, shopId, { fallback: 'shop' }),
    description,
    branding: { logoUrl: imageUrl('logoUrl', input.branding?.logoUrl), bannerUrl: imageUrl('bannerUrl', input.branding?.bannerUrl) },
    contact: { phone: input.contact.phone, email: input.contact.email.trim() },
    location: { division: input.location.division, district: input.location.district.trim(), addressLine: input.location.addressLine.trim() },
    pickupAddress: {
      label: pickup.label.trim(),
      recipient: pickup.recipient.trim(),
      phone: pickup.phone,
      division: pickup.division,
      district: pickup.district.trim(),
      area: pickup.area?.trim() || null,
      line1: pickup.line1.trim(),
      line2: pickup.line2?.trim() || null,
      postcode: pickup.postcode ?? null,
    },
  };
}

function imageUrl(field: 'logoUrl' | 'bannerUrl', value: string | null | undefined): string | null {
  if (value === undefined || value === null) return null;
  const problem = publicHttpsUrlProblem(value.trim());
  if (problem) throw new ValidationError(`branding.${field} ${problem}`, { field: `branding.${field}`, value });
  return new URL(value.trim()).href;
}
