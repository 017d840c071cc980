import { BlockList, isIP } from "node:net";

/** The ranges behind the names proxy-addr (so Express and Fastify) accepts in a list of trusted proxies. */
const NAMED_RANGES: Record<string, string[]> = {
  loopback: ["127.0.0.0/8", "::1/128"],
  linklocal: ["169.254.0.0/16", "fe80::/10"],
  uniquelocal: ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"],
};

const familyOf = (address: string) => ({ 4: "ipv4", 6: "ipv6" })[isIP(address)] as "ipv4" | "ipv6" | undefined;

/** Trusted proxies (`loopback`, `10.0.0.0/8`, `192.0.2.7`…) as a BlockList; throws on an entry that is none of these. */
export function trustList(entries: string[]): BlockList {
  const list = new BlockList();
  for (const entry of entries.flatMap((e) => NAMED_RANGES[e] ?? [e])) {
    const [address = "", prefix, extra] = entry.split("/");
    const family = familyOf(address);
    const bits = Number(prefix);
    if (!family || extra !== undefined || (prefix !== undefined && !(/^\d+$/.test(prefix) && bits <= (family === "ipv4" ? 32 : 128)))) {
      throw new Error(`"${entry}" is not an address, a CIDR range, loopback, linklocal or uniquelocal`);
    }
    if (prefix === undefined) list.addAddress(address, family);
    else list.addSubnet(address, bits, family);
  }
  return list;
}

const unmapped = (address: string) => (address.startsWith("::ffff:") && isIP(address.slice(7)) === 4 ? address.slice(7) : address);

/**
 * The client's address: the socket's peer or, while that is a trusted proxy, the address it says it forwarded for
 * (the last `X-Forwarded-For` entry), and so on leftwards. Entries a client wrote itself stand left of the first
 * untrusted hop, so they are never reached; an entry that is not an address stops the walk.
 */
export function clientAddress(peer: string | undefined, forwardedFor: string | undefined, proxies: BlockList): string {
  let address = unmapped(peer ?? "");
  if (!forwardedFor) return address;
  const hops = forwardedFor.split(",");
  for (let i = hops.length - 1; i >= 0; i--) {
    const family = familyOf(address);
    if (!family || !proxies.check(address, family)) break;
    const hop = unmapped(hops[i]!.trim());
    if (!familyOf(hop)) break;
    address = hop;
  }
  return address;
}

/**
 * Whose failures a request counts against: an IPv4 address as it is, an IPv6 address by its /64, since one host
 * usually holds a whole /64 and could otherwise start a fresh bucket with every request.
 */
export function clientKey(address: string): string {
  if (familyOf(address) !== "ipv6") return address;
  const groupsOf = (part: string | undefined) => (part ? part.split(":").flatMap((g) => (g.includes(".") ? ["0", "0"] : [g])) : []);
  const [head, tail] = address.split("::");
  const left = groupsOf(head);
  const right = groupsOf(tail);
  const groups = tail === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill("0"), ...right];
  return `${groups.slice(0, 4).map((g) => parseInt(g, 16).toString(16)).join(":")}::/64`;
}
