import { parseTraceparent } from "./dead-letter.builder";

/** Header names whose value proves or grants something: shown masked, whatever the provider. */
const SENSITIVE_HEADER = /signature|authorization|cookie|secret|token|api-key/i;

/** A copy of `headers` for an operator's eyes: signatures and credentials keep only their last four characters. */
export function maskHeaders(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [name, SENSITIVE_HEADER.test(name) ? `…${value.length > 16 ? value.slice(-4) : ""}` : value]),
  );
}

/** The trace of a message with this `traceparent`, or null when there is no template or no valid traceparent. */
export function traceLink(template: string | null, traceparent: string | undefined): { traceId: string; url: string | null } | null {
  const parsed = parseTraceparent(traceparent);
  if (!parsed) return null;
  return { traceId: parsed.traceId, url: template ? template.replaceAll("{traceId}", parsed.traceId) : null };
}
