/**
 * The behaviour every signature verifier shares, as one jest suite that each `*.verifier.spec.ts` runs against its
 * scheme (the Evidence list, plus property tests). Not a spec file itself: jest only collects `*.spec.ts`.
 */
import fc from "fast-check";
import type { RejectReason, Verifier, VerifyInput } from "./verifier";

export const NOW = 1_800_000_000;
export const TOLERANCE = 300;
/** Bounded so the whole verifier suite stays fast. */
export const PROPERTY_RUNS = { numRuns: 200 };

const REASONS: RejectReason[] = ["missing_signature", "malformed_signature", "invalid_signature", "missing_timestamp", "timestamp_out_of_tolerance", "missing_header", "malformed_body"];

export interface SignedScheme {
  verifier: Verifier;
  /** Accepted during a rotation (the first two), and one that is not configured. */
  secrets: { current: string; previous: string; other: string };
  /** The provider's signature token (hex, base64…) over `body` at `timestamp`, computed with node:crypto, not with the verifier's helpers. */
  sign(secret: string, body: Buffer, timestamp: string): string;
  /** A request's headers carrying whichever of the parts are given. */
  headers(parts: { timestamp?: string; signature?: string }): Record<string, string>;
  /** False for schemes that sign no timestamp (Meta). */
  timestamped: boolean;
  /** Signature headers that must be refused as `malformed_signature` (with a valid timestamp where it is separate). */
  malformed: Array<Record<string, string>>;
}

export const verifyInput = (over: Partial<VerifyInput>): VerifyInput => ({
  headers: {},
  rawBody: Buffer.alloc(0),
  secrets: [],
  nowSeconds: NOW,
  toleranceSeconds: TOLERANCE,
  ...over,
});

/** The headers whose value is given. */
export const present = (headers: Record<string, string | undefined>): Record<string, string> =>
  Object.fromEntries(Object.entries(headers).filter((entry): entry is [string, string] => entry[1] !== undefined));

/** `key=value` for each given value, joined with `separator` (Stripe `,`, Inngest `&`); undefined when none is given. */
export const keyValues = (separator: string, items: Record<string, string | undefined>): string | undefined => {
  const given = Object.entries(items).filter(([, value]) => value !== undefined);
  return given.length ? given.map(([key, value]) => `${key}=${value}`).join(separator) : undefined;
};

/** `text` with the character at `index` (modulo its length) moved by `delta` (1..255) within 0..255: always a different byte. */
export const changeChar = (text: string, index: number, delta: number): string => {
  const at = index % text.length;
  return text.slice(0, at) + String.fromCharCode((text.charCodeAt(at) + delta) % 256) + text.slice(at + 1);
};

export const changeByte = (bytes: Buffer, index: number, delta: number): Buffer => {
  const copy = Buffer.from(bytes);
  const at = index % copy.length;
  copy[at] = (copy[at]! + delta) % 256;
  return copy;
};

const oneByteChange = fc.record({ index: fc.nat(), delta: fc.integer({ min: 1, max: 255 }) });
const freshTimestamp = fc.integer({ min: NOW - TOLERANCE, max: NOW + TOLERANCE }).map(String);
const body = fc.uint8Array({ minLength: 1, maxLength: 512 }).map((bytes) => Buffer.from(bytes));

/** Any input at all, with header values near valid ones (spliced) as well as arbitrary strings, arrays and binary. */
function anyInput(scheme: SignedScheme, valid: Record<string, string>): fc.Arbitrary<VerifyInput> {
  const spliced = (value: string) =>
    fc.tuple(fc.nat(), fc.nat(), fc.string({ maxLength: 8 })).map(([from, to, text]) => value.slice(0, from % (value.length + 1)) + text + value.slice(to % (value.length + 1)));
  const values = (value: string) =>
    fc.oneof(spliced(value), fc.string(), fc.string({ unit: "binary" }), fc.array(fc.oneof(spliced(value), fc.string()), { maxLength: 3 }), fc.constant(undefined));
  const known = Object.fromEntries(Object.entries(valid).map(([name, value]) => [name, values(value)]));
  return fc.record({
    headers: fc.tuple(fc.record(known, { requiredKeys: [] }), fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.array(fc.string()))))
      .map(([headers, extra]) => ({ ...extra, ...headers }) as VerifyInput["headers"]),
    rawBody: fc.uint8Array({ maxLength: 256 }).map((bytes) => Buffer.from(bytes)),
    secrets: fc.array(fc.oneof(fc.string(), fc.constantFrom(...Object.values(scheme.secrets), "", "whsec_", "signkey-prod-")), { maxLength: 4 }),
    nowSeconds: fc.oneof(fc.constant(NOW), fc.integer(), fc.double()),
    toleranceSeconds: fc.oneof(fc.constant(TOLERANCE), fc.integer(), fc.double()),
  });
}

export function verifierContract(scheme: SignedScheme): void {
  const { verifier, secrets, sign, headers, timestamped } = scheme;
  const payload = Buffer.from(JSON.stringify({ id: "evt_1", type: "thing.created", data: { amount: 42 } }));
  const ts = String(NOW);
  const request = (over: { secret?: string; body?: Buffer; signedBody?: Buffer; timestamp?: string; signedTimestamp?: string; secrets?: string[] }) => {
    const signedBody = over.signedBody ?? over.body ?? payload;
    const timestamp = over.timestamp ?? ts;
    const signature = sign(over.secret ?? secrets.current, signedBody, over.signedTimestamp ?? timestamp);
    return verifyInput({ headers: headers({ timestamp, signature }), rawBody: over.body ?? payload, secrets: over.secrets ?? [secrets.current] });
  };
  const refused = (reason: RejectReason) => expect.objectContaining({ ok: false, reason, message: expect.any(String) });

  it("accepts a request signed with the configured secret", () => {
    expect(verifier(request({}))).toEqual({ ok: true });
  });

  it("rejects a signature made with another secret", () => {
    expect(verifier(request({ secret: secrets.other }))).toEqual(refused("invalid_signature"));
  });

  it("rejects a tampered body", () => {
    const tampered = Buffer.from(payload.toString().replace("42", "43"));
    expect(verifier(request({ body: tampered, signedBody: payload }))).toEqual(refused("invalid_signature"));
  });

  it("rejects a missing signature header", () => {
    expect(verifier(verifyInput({ headers: headers({ timestamp: ts }), rawBody: payload, secrets: [secrets.current] }))).toEqual(refused("missing_signature"));
    expect(verifier(verifyInput({ rawBody: payload, secrets: [secrets.current] }))).toEqual(refused("missing_signature"));
  });

  it("rejects malformed signature headers without throwing", () => {
    for (const malformed of scheme.malformed) {
      const input = verifyInput({ headers: malformed, rawBody: payload, secrets: [secrets.current] });
      expect([malformed, verifier(input)]).toEqual([malformed, refused("malformed_signature")]);
    }
  });

  it("accepts the current and the previous secret during a rotation, and no other", () => {
    const rotation = [secrets.current, secrets.previous];
    expect(verifier(request({ secret: secrets.current, secrets: rotation }))).toEqual({ ok: true });
    expect(verifier(request({ secret: secrets.previous, secrets: rotation }))).toEqual({ ok: true });
    expect(verifier(request({ secret: secrets.other, secrets: rotation }))).toEqual(refused("invalid_signature"));
  });

  it("verifies an empty body, and only the empty body its signature covers", () => {
    const empty = Buffer.alloc(0);
    expect(verifier(request({ body: empty }))).toEqual({ ok: true });
    expect(verifier(request({ body: empty, signedBody: payload }))).toEqual(refused("invalid_signature"));
    expect(verifier(request({ body: payload, signedBody: empty }))).toEqual(refused("invalid_signature"));
  });

  it("refuses everything when no secret is configured, and never treats an empty secret as a key", () => {
    expect(verifier(request({ secrets: [] }))).toEqual(refused("invalid_signature"));
    expect(verifier(request({ secret: "", secrets: [""] }))).toEqual(refused("invalid_signature"));
  });

  it("reads the first value of a repeated header", () => {
    const valid = request({});
    const repeated = Object.fromEntries(Object.entries(valid.headers).map(([name, value]) => [name, [value as string, "garbage"]]));
    expect(verifier({ ...valid, headers: repeated })).toEqual({ ok: true });
  });

  it("rejects huge headers quickly without throwing", () => {
    const valid = request({});
    const huge = Object.fromEntries(Object.entries(valid.headers).map(([name, value]) => [name, `${value as string}${",".repeat(1 << 20)}`]));
    const started = performance.now();
    expect(verifier({ ...valid, headers: huge })).toMatchObject({ ok: false });
    expect(performance.now() - started).toBeLessThan(200);
  });

  if (timestamped) {
    it("rejects a tampered timestamp", () => {
      expect(verifier(request({ timestamp: String(NOW + 1), signedTimestamp: ts }))).toEqual(refused("invalid_signature"));
    });

    it("rejects a timestamp outside the tolerance, in the past and in the future, and accepts its edges", () => {
      expect(verifier(request({ timestamp: String(NOW - TOLERANCE - 1) }))).toEqual(refused("timestamp_out_of_tolerance"));
      expect(verifier(request({ timestamp: String(NOW + TOLERANCE + 1) }))).toEqual(refused("timestamp_out_of_tolerance"));
      expect(verifier(request({ timestamp: String(NOW - TOLERANCE) }))).toEqual({ ok: true });
      expect(verifier(request({ timestamp: String(NOW + TOLERANCE) }))).toEqual({ ok: true });
    });

    it("fails closed when the clock or the tolerance is not a number", () => {
      expect(verifier({ ...request({}), nowSeconds: Number.NaN })).toEqual(refused("timestamp_out_of_tolerance"));
      expect(verifier({ ...request({}), toleranceSeconds: Number.NaN })).toEqual(refused("timestamp_out_of_tolerance"));
    });

    it("rejects a missing timestamp", () => {
      const signature = sign(secrets.current, payload, ts);
      expect(verifier(verifyInput({ headers: headers({ signature }), rawBody: payload, secrets: [secrets.current] }))).toEqual(refused("missing_timestamp"));
    });

    it("rejects a timestamp that is not integer Unix seconds", () => {
      for (const timestamp of ["", " 1800000000", "1800000000.5", "-1800000000", "1.8e9", "0x6b49d200", "１８００"]) {
        const input = verifyInput({ headers: headers({ timestamp, signature: sign(secrets.current, payload, timestamp) }), rawBody: payload, secrets: [secrets.current] });
        expect(verifier(input)).toMatchObject({ ok: false });
      }
    });
  }

  describe("properties", () => {
    const signed = (rawBody: Buffer, timestamp: string, signature = sign(secrets.current, rawBody, timestamp)) =>
      verifyInput({ headers: headers({ timestamp, signature }), rawBody, secrets: [secrets.current, secrets.previous] });

    it("accepts every correctly signed request", () => {
      fc.assert(fc.property(fc.uint8Array({ maxLength: 512 }), freshTimestamp, (bytes, timestamp) => {
        expect(verifier(signed(Buffer.from(bytes), timestamp))).toEqual({ ok: true });
      }), PROPERTY_RUNS);
    });

    it("rejects any single-byte change to the body", () => {
      fc.assert(fc.property(body, freshTimestamp, oneByteChange, (bytes, timestamp, change) => {
        const input = signed(bytes, timestamp);
        expect(verifier({ ...input, rawBody: changeByte(bytes, change.index, change.delta) })).toMatchObject({ ok: false });
      }), PROPERTY_RUNS);
    });

    it("rejects any single-byte change to the signature", () => {
      fc.assert(fc.property(body, freshTimestamp, oneByteChange, (bytes, timestamp, change) => {
        const signature = changeChar(sign(secrets.current, bytes, timestamp), change.index, change.delta);
        expect(verifier(signed(bytes, timestamp, signature))).toMatchObject({ ok: false });
      }), PROPERTY_RUNS);
    });

    if (timestamped) {
      it("rejects any single-byte change to the timestamp", () => {
        fc.assert(fc.property(body, freshTimestamp, oneByteChange, (bytes, timestamp, change) => {
          const signature = sign(secrets.current, bytes, timestamp);
          expect(verifier(signed(bytes, changeChar(timestamp, change.index, change.delta), signature))).toMatchObject({ ok: false });
        }), PROPERTY_RUNS);
      });
    }

    it("never throws, whatever the input, and always answers with a known reason", () => {
      const valid = headers({ timestamp: ts, signature: sign(secrets.current, payload, ts) });
      fc.assert(fc.property(anyInput(scheme, valid), (input) => {
        const result = verifier(input);
        if (!result.ok) {
          expect(REASONS).toContain(result.reason);
          expect(typeof result.message).toBe("string");
        } else expect(result).toEqual({ ok: true });
      }), PROPERTY_RUNS);
    });
  });
}
