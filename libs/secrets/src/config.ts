import { z } from "zod";
import { commaList } from "@hookstream/platform";
import { Keyring } from "./keyring";

const MIN_LENGTH = 32;
const material = z.string().min(MIN_LENGTH, `must be at least ${MIN_LENGTH} characters`);

/**
 * Spread into a service's config schema: the key that encrypts secrets at rest, and the keys it replaced,
 * which still decrypt until `npm run secrets:rotate-key` is done.
 */
export const encryptionKeyEnv = {
  HOOKSTREAM_ENCRYPTION_KEY: z.string({ error: `is required: at least ${MIN_LENGTH} random characters, e.g. \`openssl rand -base64 32\`` }).pipe(material),
  HOOKSTREAM_ENCRYPTION_KEY_PREVIOUS: commaList()
    .pipe(z.array(material))
    .optional(),
};

export function keyringFrom(e: { HOOKSTREAM_ENCRYPTION_KEY: string; HOOKSTREAM_ENCRYPTION_KEY_PREVIOUS?: string[] }): Keyring {
  return new Keyring(e.HOOKSTREAM_ENCRYPTION_KEY, e.HOOKSTREAM_ENCRYPTION_KEY_PREVIOUS ?? []);
}
