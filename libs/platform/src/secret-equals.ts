import { createHash, timingSafeEqual } from "node:crypto";

/**
 * Compares a presented secret with a configured one in time that depends on neither: both are hashed to 32 bytes
 * first, so not even the configured secret's length shows (a plain timingSafeEqual needs equal lengths, and checking
 * them first returns early).
 */
export function secretEquals(configured: string, presented: string): boolean {
  const a = createHash("sha256").update(configured).digest();
  const b = createHash("sha256").update(presented).digest();
  return timingSafeEqual(a, b);
}
