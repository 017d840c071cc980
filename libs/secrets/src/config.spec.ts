import { z } from "zod";
import { ConfigError, loadConfig } from "@hookstream/platform";
import { encryptionKeyEnv, keyringFrom } from "./config";

const schema = z.object(encryptionKeyEnv).transform(keyringFrom);
const KEY = "0123456789abcdef0123456789abcdef";

describe("encryptionKeyEnv", () => {
  it("requires HOOKSTREAM_ENCRYPTION_KEY, naming it, without echoing a value", () => {
    expect(() => loadConfig(schema, {})).toThrow(/HOOKSTREAM_ENCRYPTION_KEY: is required/);
    expect(() => loadConfig(schema, { HOOKSTREAM_ENCRYPTION_KEY: "too-short-key" })).toThrow(ConfigError);
    try {
      loadConfig(schema, { HOOKSTREAM_ENCRYPTION_KEY: "too-short-key" });
    } catch (e) {
      expect((e as Error).message).toMatch(/HOOKSTREAM_ENCRYPTION_KEY: must be at least 32 characters/);
      expect((e as Error).message).not.toContain("too-short-key");
    }
  });

  it("checks each previous key and builds a keyring holding all of them", () => {
    expect(() => loadConfig(schema, { HOOKSTREAM_ENCRYPTION_KEY: KEY, HOOKSTREAM_ENCRYPTION_KEY_PREVIOUS: `${"p".repeat(32)},short` })).toThrow(/HOOKSTREAM_ENCRYPTION_KEY_PREVIOUS\.1: must be at least 32/);
    const ring = loadConfig(schema, { HOOKSTREAM_ENCRYPTION_KEY: KEY, HOOKSTREAM_ENCRYPTION_KEY_PREVIOUS: ` ${"p".repeat(32)} , ${"q".repeat(32)}` });
    expect(ring.kids).toHaveLength(3);
  });
});
