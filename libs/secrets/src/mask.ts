/** `whsec_abcd…wxyz` → `whsec_…wxyz`: enough to tell secrets apart, never enough to use one. */
export function maskSecret(secret: string | null | undefined): string | null {
  if (!secret) return null;
  const prefix = secret.startsWith("whsec_") ? "whsec_" : "";
  // A short secret shows no characters at all: four of eight would be half of it.
  const tail = secret.length - prefix.length >= 16 ? secret.slice(-4) : "";
  return `${prefix}…${tail}`;
}
