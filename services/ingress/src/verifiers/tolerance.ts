import { reject, type Verification, type VerifyInput } from "./verifier";

/** Unix seconds as every provider sends them: plain decimal digits (no sign, fraction or exponent). */
const UNIX_SECONDS = /^\d{1,12}$/;

/**
 * The rejection for a signed timestamp that is missing, not integer Unix seconds, or further than
 * `toleranceSeconds` from `nowSeconds` in either direction (a future timestamp would extend a replay window);
 * undefined when it is fresh. Fails closed when `nowSeconds` or `toleranceSeconds` is not a number.
 */
export function timestampProblem(raw: string | undefined, input: VerifyInput): Verification | undefined {
  if (raw === undefined || raw.length === 0) return reject("missing_timestamp", "signature timestamp is missing");
  if (!UNIX_SECONDS.test(raw)) return reject("malformed_signature", "signature timestamp must be integer Unix seconds");
  const skew = Math.abs(input.nowSeconds - Number(raw));
  if (!(skew <= input.toleranceSeconds)) return reject("timestamp_out_of_tolerance", "signature timestamp is outside the accepted window");
  return undefined;
}
