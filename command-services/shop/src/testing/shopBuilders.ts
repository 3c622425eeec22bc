/** Short "given" states for shop tests: details, and the events of a shop's life. */
import type { ShopDetails, ShopEvent, ShopFacts } from '../shop';
import type { ShopDetailsInput } from '../shopDetails/shopDetails';

export const now = '2026-11-24T10:00:00.000Z';
export const shopId = '0193a5c2-0000-4000-8000-00000000a001';
export const ownerId = '0193a5c2-0000-4000-8000-0000000000e1';
export const otherSellerId = '0193a5c2-0000-4000-8000-0000000000e2';
export const adminId = '0193a5c2-0000-4000-8000-0000000000ad';

export const detailsInput = (overrides: Partial<ShopDetailsInput> = {}): ShopDetailsInput => ({
  name: 'Mim Fashion House',
  description: 'Saris, salwar kameez and panjabis from Dhaka.',
  branding: { logoUrl: 'https://cdn.bdbazar.com.bd/mim/logo.png', bannerUrl: null },
  contact: { phone: '+8801811000000', email: 'hello@mimfashion.com.bd' },
  location: { division: 'Dhaka', district: 'Dhaka', addressLine: 'Bashundhara City, Level 4, Shop 12' },
  pickupAddress: { label: 'Warehouse', recipient: 'Mim Akter', phone: '+8801811000000', division: 'Dhaka', district: 'Dhaka', line1: 'House 7, Road 3, Block C, Bashundhara R/A' },
  ...overrides,
});

export const details = (overrides: Partial<ShopDetails> = {}): ShopDetails => ({
  name: 'Mim Fashion House',
  slug: 'mim-fashion-house',
  description: 'Saris, salwar kameez and panjabis from Dhaka.',
  branding: { logoUrl: 'https://cdn.bdbazar.com.bd/mim/logo.png', bannerUrl: null },
  contact: { phone: '+8801811000000', email: 'hello@mimfashion.com.bd' },
  location: { division: 'Dhaka', district: 'Dhaka', addressLine: 'Bashundhara City, Level 4, Shop 12' },
  pickupAddress: {
    label: 'Warehouse',
    recipient: 'Mim Akter',
    phone: '+8801811000000',
    division: 'Dhaka',
    district: 'Dhaka',
    area: null,
    line1: 'House 7, Road 3, Block C, Bashundhara R/A',
    line2: null,
    postcode: null,
  },
  ...overrides,
});

export const facts = (d: ShopDetails = details()): ShopFacts => ({ shopId, ownerId, name: d.name, slug: d.slug, division: d.location.division, district: d.location.district });

export const opened = (d: ShopDetails = details()): ShopEvent => ({ type: 'ShopOpened', data: { shopId, ownerId, status: 'pending', ...d, openedAt: now } });
export const approved = (d?: ShopDetails): ShopEvent => ({ type: 'ShopApproved', data: { ...facts(d), approvedBy: adminId, approvedAt: now } });
export const suspended = (reason = 'Counterfeit goods reported by buyers.', d?: ShopDetails): ShopEvent => ({
  type: 'ShopSuspended',
  data: { ...facts(d), reason, suspendedBy: adminId, suspendedAt: now },
});
export const reinstated = (status: 'active' | 'pending', d?: ShopDetails): ShopEvent => ({
  type: 'ShopReinstated',
  data: { ...facts(d), status, reinstatedBy: adminId, reinstatedAt: now },
});
