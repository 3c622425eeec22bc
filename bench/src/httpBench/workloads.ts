/**
 * The steps of the HTTP bench that are not a load run: seeding the read side and waiting for the
 * projector to have applied a position (read-your-writes, through the query API itself).
 */
import { sleep } from '../eventStoreBench/measure';
import type { SignedInUser } from './protocol';

const ADDRESS = {
  label: 'Home',
  recipient: 'Rahim Uddin',
  phone: '+8801711000000',
  division: 'Dhaka',
  district: 'Dhaka',
  area: 'Dhanmondi',
  line1: 'House 12, Road 5',
  postcode: '1205',
  makeDefault: true,
};

/** One request outside the load client; `token` null for an anonymous one. */
export async function call(url: string, method: string, path: string, token: string | null, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { ...(token === null ? {} : { authorization: `Bearer ${token}` }), ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

/** Gives each user a default address; answers the newest position written. */
export async function addAddresses(url: string, users: readonly SignedInUser[]): Promise<string> {
  let newest = '';
  for (const user of users) {
    const answer = await call(url, 'POST', `/v1/users/${user.id}/addresses`, user.accessToken, ADDRESS);
    if (answer.status !== 201) throw new Error(`adding an address: ${answer.status} ${JSON.stringify(answer.body)}`);
    const position = String(answer.body['position']);
    if (position > newest) newest = position;
  }
  return newest;
}

/** One profile update outside the measurement; answers its position. */
export async function updateProfileOnce(url: string, user: SignedInUser, name: string): Promise<string> {
  const answer = await call(url, 'PUT', `/v1/users/${user.id}`, user.accessToken, { name, phone: '+8801711000000' });
  if (answer.status !== 200) throw new Error(`updating a profile: ${answer.status} ${JSON.stringify(answer.body)}`);
  return String(answer.body['position']);
}

/**
 * Reads `user`'s profile with X-Consistent-After: `position` until the query API answers (it
 * answers 503 while the projector is behind); resolves with the profile and how long that took.
 */
export async function readAfter(url: string, user: SignedInUser, position: string, timeoutMs = 120_000): Promise<{ waitedMs: number; profile: Record<string, unknown> }> {
  const started = performance.now();
  for (;;) {
    const answer = await call(url, 'GET', `/v1/users/${user.id}`, user.accessToken, undefined, { 'X-Consistent-After': position });
    if (answer.status === 200) return { waitedMs: performance.now() - started, profile: answer.body };
    if (answer.status !== 503) throw new Error(`reading a profile: ${answer.status} ${JSON.stringify(answer.body)}`);
    if (performance.now() - started > timeoutMs) throw new Error(`the read model did not reach ${position} within ${timeoutMs} ms`);
    await sleep(50);
  }
}
