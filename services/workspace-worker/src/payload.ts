/** A property of a parsed JSON payload, or undefined when the value is not an object. */
export const field = (value: unknown, name: string): unknown => (value !== null && typeof value === "object" ? (value as Record<string, unknown>)[name] : undefined);
