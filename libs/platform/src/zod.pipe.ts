import { BadRequestException, type PipeTransform } from "@nestjs/common";
import { z } from "zod";

/** Validates a request body or query with a zod schema: 400 with the schema's words on failure. */
export class ZodPipe<S extends z.ZodType> implements PipeTransform<unknown, z.infer<S>> {
  constructor(private readonly schema: S) {}

  transform(value: unknown): z.infer<S> {
    const result = this.schema.safeParse(value ?? {});
    if (!result.success) throw new BadRequestException({ code: "invalid_request", message: z.prettifyError(result.error) });
    return result.data;
  }
}
