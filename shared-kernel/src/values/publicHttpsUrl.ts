/**
 * The check of a branding image URL (logo, banner) that OpenAPI cannot make: https only, and a
 * host on the public internet. Browsers load these images on https pages, and servers (a
 * thumbnailer, a cache) may fetch them: a URL naming `localhost`, `10.0.0.1` or the cloud
 * metadata address `169.254.169.254` would let a seller aim those servers at our own network.
 *
 * Host names are checked as written; a public name that resolves to a private address (DNS
 * rebinding) can only be caught by whatever fetches the image, which must resolve and check again.
 */

/** What is wrong with `value` as a public https URL, in words a person can act on; null when nothing. */
export function publicHttpsUrlProblem(value: string): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'is not a URL; give the full address of the image, such as https://cdn.example.com/logo.png.';
  }
  if (url.protocol !== 'https:') return `must be an https:// URL; ${url.protocol.replace(/:$/, '')} is refused, as images on bdbazar are served over https only.`;
  if (url.username !== '' || url.password !== '') return 'must not carry a user name or password.';

  // The parser has already turned every way of writing an IPv4 address (`2130706433`, `0x7f.1`)
  // into dotted decimal, and IPv6 into its canonical compressed form in brackets.
  const host = url.hostname.toLowerCase().replace(/\.$/, '');
  const notPublic = 'must point at a public host; private, loopback and link-local addresses are refused.';
  if (host.startsWith('[')) return isPublicIpv6(host.slice(1, -1)) ? null : notPublic;
  const ipv4 = parseIpv4(host);
  if (ipv4 !== null) return isPublicIpv4(ipv4) ? null : notPublic;
  if (host === 'localhost' || LOCAL_SUFFIXES.some((suffix) => host.endsWith(suffix))) return notPublic;
  if (!host.includes('.')) return 'must name a public host by its full domain name, such as cdn.example.com.';
  return null;
}

/** Names that never leave the local network or host. */
const LOCAL_SUFFIXES = ['.localhost', '.local', '.internal', '.localdomain', '.home.arpa'];

function parseIpv4(host: string): number | null {
  const parts = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  if (!parts) return null;
  const octets = parts.slice(1).map(Number);
  if (octets.some((o) => o > 255)) return null;
  return ((octets[0]! << 24) >>> 0) + (octets[1]! << 16) + (octets[2]! << 8) + octets[3]!;
}

/** Special-purpose IPv4 ranges (RFC 6890 and its updates) that are not the public internet. */
const NON_PUBLIC_IPV4: ReadonlyArray<readonly [string, number]> = [
  ['0.0.0.0', 8], // this network
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // shared address space (carrier-grade NAT)
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local (and cloud metadata services)
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation
  ['203.0.113.0', 24], // documentation
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, and the broadcast address
];

function isPublicIpv4(address: number): boolean {
  return !NON_PUBLIC_IPV4.some(([network, bits]) => {
    const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
    return ((address & mask) >>> 0) === ((parseIpv4(network)! & mask) >>> 0);
  });
}

/** The eight 16-bit groups of a canonical IPv6 address (as the URL parser writes it); null if it is not one. */
function ipv6Groups(address: string): number[] | null {
  const halves = address.split('::');
  if (halves.length > 2) return null;
  const groups = (part: string | undefined) => (part ? part.split(':').map((g) => (/^[0-9a-f]{1,4}$/.test(g) ? parseInt(g, 16) : NaN)) : []);
  const head = groups(halves[0]);
  const tail = groups(halves[1]);
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
  const all = [...head, ...Array<number>(halves.length === 2 ? missing : 0).fill(0), ...tail];
  return all.some(Number.isNaN) ? null : all;
}

/**
 * Global unicast (2000::/3) only, less the parts of it that are not the public internet or that
 * embed an IPv4 address. Everything else is loopback (::1), unspecified (::), IPv4-mapped
 * (::ffff:0:0/96), NAT64, unique local (fc00::/7), link-local (fe80::/10) or multicast (ff00::/8).
 */
function isPublicIpv6(address: string): boolean {
  const groups = ipv6Groups(address);
  if (!groups) return false;
  const [first, second] = groups as [number, number];
  if (first < 0x2000 || first > 0x3fff) return false;
  if (first === 0x2001 && second < 0x0200) return false; // IETF protocol assignments, Teredo
  if (first === 0x2001 && second === 0x0db8) return false; // documentation
  if (first === 0x2002) return false; // 6to4, which embeds an IPv4 address
  return true;
}
