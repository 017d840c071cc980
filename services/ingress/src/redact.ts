/** Headers that carry a credential whatever the source. */
export const CREDENTIAL_HEADERS = ["authorization", "proxy-authorization", "cookie"];

/** A copy of `headers` fit for a log: every header named in `sensitive` (lower case) has its value replaced. */
export function redactHeaders(headers: Record<string, string | string[] | undefined>, sensitive: ReadonlySet<string>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, sensitive.has(name.toLowerCase()) ? "[redacted]" : value]));
}
