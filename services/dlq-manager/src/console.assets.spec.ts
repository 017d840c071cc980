import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { loadConsoleAssets, resolveConsolePath } from "./console.assets";

describe("console assets", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "console-"));
    mkdirSync(join(dir, "assets"));
    writeFileSync(join(dir, "index.html"), "<!doctype html>");
    writeFileSync(join(dir, "assets", "index-abc123.js"), "console.log(1);".repeat(100));
    writeFileSync(join(dir, "assets", "index-abc123.css"), "body{}");
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("caches hashed assets for a year and revalidates index.html", () => {
    const assets = loadConsoleAssets(dir);
    expect(assets.get("assets/index-abc123.js")).toMatchObject({ contentType: "text/javascript; charset=utf-8", cacheControl: "public, max-age=31536000, immutable" });
    expect(assets.get("assets/index-abc123.css")?.contentType).toBe("text/css; charset=utf-8");
    expect(assets.get("index.html")).toMatchObject({ contentType: "text/html; charset=utf-8", cacheControl: "no-cache" });
  });

  it("keeps a gzip copy only where it is smaller", () => {
    const assets = loadConsoleAssets(dir);
    const js = assets.get("assets/index-abc123.js")!;
    expect(gunzipSync(js.gzip!).toString()).toBe(js.body.toString());
    expect(assets.get("assets/index-abc123.css")!.gzip).toBeNull();
  });

  it("answers the app's pages with index.html but a missing asset with nothing", () => {
    const assets = loadConsoleAssets(dir);
    const index = assets.get("index.html");
    expect(resolveConsolePath(assets, "/")).toBe(index);
    expect(resolveConsolePath(assets, "")).toBe(index);
    expect(resolveConsolePath(assets, "/events/42")).toBe(index);
    expect(resolveConsolePath(assets, "/dead-letters")).toBe(index);
    expect(resolveConsolePath(assets, "/assets/index-abc123.js")).toBe(assets.get("assets/index-abc123.js"));
    expect(resolveConsolePath(assets, "/assets/index-old.js")).toBeNull();
    expect(resolveConsolePath(assets, "/favicon.ico")).toBeNull();
  });

  it("is empty when the console was not built", () => {
    expect(loadConsoleAssets(join(dir, "missing")).size).toBe(0);
  });
});
