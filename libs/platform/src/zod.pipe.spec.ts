import { BadRequestException } from "@nestjs/common";
import { z } from "zod";
import { nulCharacterAt, ZodPipe } from "./zod.pipe";

describe("ZodPipe", () => {
  const pipe = new ZodPipe(z.object({ id: z.string(), tags: z.array(z.string()).optional(), filter: z.object({ name: z.string() }).optional() }));

  it("passes what the schema accepts, unknown keys dropped", () => {
    expect(pipe.transform({ id: "evt-1", other: "a\u0000b" })).toEqual({ id: "evt-1" });
  });

  it.each([
    [{ id: "\u0000" }, "id"],
    [{ id: "a", tags: ["ok", "b\u0000"] }, "tags[1]"],
    [{ id: "a", filter: { name: "x\u0000y" } }, "filter.name"],
  ])("refuses a NUL character PostgreSQL could not store, naming where: %j", (input, where) => {
    expect(() => pipe.transform(input)).toThrow(BadRequestException);
    expect(() => pipe.transform(input)).toThrow(`${where}: must not contain NUL characters`);
  });

  it("finds a NUL character anywhere in a value", () => {
    expect(nulCharacterAt("a\u0000")).toBe("$");
    expect(nulCharacterAt({ a: [{ b: "\u0000" }] })).toBe("$.a[0].b");
    expect(nulCharacterAt({ a: ["x"], n: 1, z: null })).toBeUndefined();
  });
});
