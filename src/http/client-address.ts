import type { IncomingMessage } from 'node:http';
import { isIPv6 } from 'node:net';
import proxyAddr from 'proxy-addr';

/**
 * Who a request comes from, for per-client limits (an HTTP request or a WebSocket's upgrade alike).
 *
 * Behind a reverse proxy every client has the proxy's address: with `trustedProxies` (addresses,
 * CIDR blocks, or proxy-addr's `loopback`, `linklocal` and `uniquelocal`), a request from one of them
 * counts as the address the proxy puts in X-Forwarded-For, walking back past every trusted hop. A
 * header from anyone else is ignored, since any client could send one.
 */
export function createClientAddress(trustedProxies: readonly string[]): (request: IncomingMessage) => string {
  if (trustedProxies.length === 0) return (request) => clientAddress(request.socket.remoteAddress);
  const trusted = proxyAddr.compile([...trustedProxies]);
  return (request) => clientAddress(proxyAddr(request, trusted));
}

/** Whether proxy-addr understands a trusted-proxy entry (an address, a CIDR block or a preset). */
export function isProxyAddress(entry: string): boolean {
  try {
    proxyAddr.compile(entry);
    return true;
  } catch {
    return false;
  }
}

/**
 * An address as the limits count it: an IPv4 address seen through an IPv6 socket counts as itself,
 * and an IPv6 address as its /64 network, the smallest block one subscriber usually gets (anyone
 * holds billions of addresses inside it).
 */
export function clientAddress(remoteAddress: string | undefined): string {
  if (!remoteAddress) return 'unknown';
  if (!remoteAddress.includes(':')) return remoteAddress; // IPv4, as nearly every client is here
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(remoteAddress);
  if (mapped) return mapped[1]!;
  if (!isIPv6(remoteAddress)) return remoteAddress;
  return `${ipv6Groups(remoteAddress).slice(0, 4).join(':')}::/64`;
}

/** The eight 16-bit groups of an IPv6 address, in lower-case hex without leading zeros. */
function ipv6Groups(address: string): string[] {
  const [head = '', tail] = address.split('%')[0]!.split('::');
  const split = (part: string) =>
    part === ''
      ? []
      : part.split(':').flatMap((group) => {
          if (!group.includes('.')) return [group];
          // An IPv4 tail (such as 64:ff9b::192.0.2.1) is two groups.
          const [a = 0, b = 0, c = 0, d = 0] = group.split('.').map(Number);
          return [((a << 8) | b).toString(16), ((c << 8) | d).toString(16)];
        });
  const before = split(head);
  const after = tail === undefined ? [] : split(tail);
  const zeros = Array.from({ length: 8 - before.length - after.length }, () => '0');
  return [...before, ...zeros, ...after].map((group) => parseInt(group, 16).toString(16));
}
