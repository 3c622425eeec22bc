import { publicHttpsUrlProblem } from './publicHttpsUrl';

describe('a public https URL for a logo or banner', () => {
  it.each([
    'https://cdn.bdbazar.com.bd/logo.png',
    'https://images.example.com:8443/shops/mim/banner.jpg?v=2',
    'https://8.8.8.8/logo.png',
    'https://[2606:4700:4700::1111]/logo.png',
    'https://CDN.Example.COM./logo.png',
  ])('accepts %s', (url) => expect(publicHttpsUrlProblem(url)).toBeNull());

  it.each([
    ['http://cdn.bdbazar.com.bd/logo.png', /must be an https:\/\/ URL; http is refused/],
    ['ftp://cdn.bdbazar.com.bd/logo.png', /must be an https:\/\/ URL/],
    ['javascript:alert(1)', /must be an https:\/\/ URL/],
    ['not a url', /is not a URL/],
    ['https://user:secret@cdn.bdbazar.com.bd/logo.png', /user name or password/],
    ['https://intranet/logo.png', /full domain name/],
  ])('refuses %s', (url, problem) => expect(publicHttpsUrlProblem(url)).toMatch(problem));

  it.each([
    'https://10.0.0.1/',
    'https://127.0.0.1/',
    'https://[::1]/',
    'https://localhost/',
    'https://169.254.1.1/',
    'https://192.168.1.5/',
    'https://172.16.0.1/',
    'https://172.31.255.255/',
    'https://100.64.0.1/',
    'https://0.0.0.0/',
    'https://169.254.169.254/latest/meta-data/',
    'https://224.0.0.1/',
    'https://255.255.255.255/',
    'https://LOCALHOST./',
    'https://shop.localhost/',
    'https://printer.local/',
    'https://metadata.google.internal/',
    // Other spellings of loopback that the URL parser turns into 127.0.0.1
    'https://2130706433/',
    'https://0x7f.1/',
    'https://127.1/',
    'https://[::]/',
    'https://[::ffff:127.0.0.1]/',
    'https://[::ffff:8.8.8.8]/',
    'https://[fe80::1]/',
    'https://[fd00::1]/',
    'https://[fc00::1]/',
    'https://[ff02::1]/',
    'https://[2001:db8::1]/',
    'https://[2002:7f00:1::1]/',
    'https://[64:ff9b::7f00:1]/',
  ])('refuses the non-public host of %s', (url) => expect(publicHttpsUrlProblem(url)).toMatch(/must point at a public host; private, loopback and link-local addresses are refused/));

  it('accepts the public neighbours of private ranges', () => {
    for (const url of ['https://172.15.255.255/', 'https://172.32.0.1/', 'https://100.128.0.1/', 'https://11.0.0.1/', 'https://169.253.1.1/']) expect({ url, problem: publicHttpsUrlProblem(url) }).toEqual({ url, problem: null });
  });
});
