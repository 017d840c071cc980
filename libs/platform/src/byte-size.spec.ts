import { formatByteSize, parseByteSize } from "./byte-size";
import { formatDuration, parseDuration } from "./duration";

describe("sizes", () => {
  it.each([
    ["-1", -1],
    ["1048576", 1_048_576],
    ["512MiB", 512 * 2 ** 20],
    ["10gb", 1e10],
    ["1.5KiB", 1536],
    ["2 TiB", 2 * 2 ** 40],
  ])("parses %s", (text, bytes) => expect(parseByteSize(text)).toBe(bytes));

  it.each(["", "0", "-2", "ten", "5 GiBs", "1e6"])("refuses %j", (text) => expect(() => parseByteSize(text)).toThrow(/size/));

  it("formats with the largest binary unit that divides evenly", () => {
    expect([-1, 2 ** 30, 3 * 2 ** 20, 1536, 1000].map(formatByteSize)).toEqual(["unlimited", "1GiB", "3MiB", "1536B", "1000B"]);
  });
});

describe("formatDuration", () => {
  it("gives back what parseDuration reads", () => {
    for (const text of ["30d", "36h", "90m", "5s", "250ms"]) expect(formatDuration(parseDuration(text))).toBe(text);
    expect(formatDuration(0)).toBe("0");
  });
});
