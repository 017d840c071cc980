import { BadRequestException, type PipeTransform } from "@nestjs/common";
import { z } from "zod";

/** Where in `value` a string holds U+0000 (`$` for the value itself), or undefined. */
export function nulCharacterAt(value: unknown, path = "$"): string | undefined {
  if (typeof value === "string") return value.includes("\u0000") ? path : undefined;
  if (typeof value !== "object" || value === null) return undefined;
  for (const [k, v] of Object.entries(value)) {
    const found = nulCharacterAt(v, Array.isArray(value) ? `${path}[${k}]` : `${path}.${k}`);
    if (found) return found;
  }
  return undefined;
}

/**
 * Validates a request body or query with a zod schema: 400 with the schema's words on failure. A validated string
 * may not hold U+0000 either: PostgreSQL text cannot, and the query would fail as a 500.
 */
export class ZodPipe<S extends z.ZodType> implements PipeTransform<unknown, z.infer<S>> {
  constructor(private readonly schema: S) {}

  transform(value: unknown): z.infer<S> {
    const result = this.schema.safeParse(value ?? {});
    if (!result.success) throw new BadRequestException({ code: "invalid_request", message: z.prettifyError(result.error) });
    const nul = nulCharacterAt(result.data);
    if (nul) throw new BadRequestException({ code: "invalid_request", message: `${nul.replace(/^\$\.?/, "") || "value"}: must not contain NUL characters` });
    return result.data;
  }
}
