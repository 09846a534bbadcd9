import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * Where deliveries may go. A webhook URL is chosen by an API caller, and without this evald would POST
 * to whatever it names: its own loopback services, the cloud metadata address, the private network.
 * Only http(s) is allowed, and the addresses the name *resolves to* are checked at connect time (a
 * public name can point anywhere, and can change between a check and the connection), unless the
 * operator allows private destinations (EVALD_WEBHOOK_ALLOW_PRIVATE=1).
 */

/** Whether an address is one evald may deliver to when private destinations are not allowed. */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  // process() turns an IPv4-mapped IPv6 address (::ffff:127.0.0.1) into the IPv4 address it is.
  return ipaddr.process(address).range() === 'unicast';
}

/** Why `url` cannot be a webhook destination, or null when it can (names are checked again when resolved). */
export function urlProblem(url: string, allowPrivate: boolean): string | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return 'is not a valid URL';
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return `must use https or http, not ${u.protocol.replace(/:$/, '')}`;
  if (u.username || u.password) return 'must not carry a user name or password';
  if (allowPrivate) return null;
  const host = u.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host) ? !isPublicAddress(host) : host === 'localhost' || host.endsWith('.localhost')) {
    return `points to a loopback or private address (${host}); an operator can allow those with EVALD_WEBHOOK_ALLOW_PRIVATE=1`;
  }
  return null;
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `lookup` for sockets that refuses a name resolving to any non-public address: every address is
 * checked, not only the first, so a name cannot mix a public and a private answer to slip through.
 */
export function publicOnlyLookup(hostname: string, options: { all?: boolean; family?: number | string }, callback: LookupCallback): void {
  dnsLookup(hostname, { ...options, all: true } as { all: true }, (err, addresses) => {
    if (err) return callback(err, []);
    const refused = addresses.find((a) => !isPublicAddress(a.address));
    if (refused) {
      const e: NodeJS.ErrnoException = new Error(`${hostname} resolves to ${refused.address}, a loopback or private address; an operator can allow those with EVALD_WEBHOOK_ALLOW_PRIVATE=1`);
      e.code = 'EWEBHOOKPRIVATE';
      return callback(e, []);
    }
    if (options.all) return callback(null, addresses);
    return callback(null, addresses[0]!.address, addresses[0]!.family);
  });
}
