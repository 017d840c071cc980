/** Why a request was refused; stable codes, reported in the error body and the rejection metric. */
export type RejectReason =
  | "missing_signature"
  | "malformed_signature"
  | "invalid_signature"
  | "missing_timestamp"
  | "timestamp_out_of_tolerance"
  | "missing_header"
  | "malformed_body";

export type Verification = { ok: true } | { ok: false; reason: RejectReason; message: string };

export interface VerifyInput {
  /** Lower-case header names, as Node gives them. */
  headers: Record<string, string | string[] | undefined>;
  rawBody: Buffer;
  /** Every secret currently accepted (rotation). */
  secrets: string[];
  /** Seconds since the epoch, injected for tests. */
  nowSeconds: number;
  toleranceSeconds: number;
}

/** A provider's signature scheme: a pure function of the request, no I/O. Must never throw. */
export type Verifier = (input: VerifyInput) => Verification;

export const reject = (reason: RejectReason, message: string): Verification => ({ ok: false, reason, message });
export const accepted: Verification = { ok: true };

export function header(input: VerifyInput, name: string): string | undefined {
  const value = input.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}
