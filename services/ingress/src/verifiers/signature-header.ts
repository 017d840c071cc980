import { header, type VerifyInput } from "./verifier";

/** Longest signature header a verifier parses; real ones are far shorter (Node caps all headers at 16 KiB anyway). */
export const MAX_SIGNATURE_HEADER_LENGTH = 8192;

/** The first non-empty string among the named headers (aliases, in order); undefined for anything else. */
export function firstHeader(input: VerifyInput, ...names: string[]): string | undefined {
  for (const name of names) {
    const value: unknown = header(input, name);
    if (typeof value === "string" && value.length > 0) return value;
  }
  return undefined;
}

/**
 * Splits a `key<kv>value<item>key<kv>value…` list, each item at its first `kv`: Stripe `t=…,v1=…` (`,` `=`),
 * Inngest `t=…&s=…` (`&` `=`), Standard Webhooks `v1,<b64> v1,<b64>` (` ` `,`). Empty items are skipped.
 * Undefined when the value is over {@link MAX_SIGNATURE_HEADER_LENGTH} or an item has no separator or no key.
 */
export function parsePairs(value: string, item: string, kv: string): Array<[key: string, value: string]> | undefined {
  if (value.length > MAX_SIGNATURE_HEADER_LENGTH) return undefined;
  const pairs: Array<[string, string]> = [];
  for (const part of value.split(item)) {
    if (part.length === 0) continue;
    const at = part.indexOf(kv);
    if (at <= 0) return undefined;
    pairs.push([part.slice(0, at), part.slice(at + kv.length)]);
  }
  return pairs;
}

/** The values of every pair named `key`, in order. */
export const valuesOf = (pairs: Array<[string, string]>, key: string): string[] => pairs.filter(([k]) => k === key).map(([, v]) => v);
