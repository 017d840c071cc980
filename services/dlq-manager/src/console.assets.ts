import { readdirSync, readFileSync, statSync } from "node:fs";
import { extname, join, relative, sep } from "node:path";
import { gzipSync } from "node:zlib";

export interface ConsoleAsset {
  body: Buffer;
  /** Compressed once at start-up, for clients that accept gzip; null when it would not be smaller. */
  gzip: Buffer | null;
  contentType: string;
  cacheControl: string;
}

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".json": "application/json",
  ".txt": "text/plain; charset=utf-8",
};

/** The bundle is a handful of files; one bigger than this is not the console's. */
const MAX_FILE_BYTES = 5 * 1024 * 1024;
const MAX_FILES = 200;

/** Vite names built assets by their content hash: they never change, so browsers keep them a year. */
const IMMUTABLE = "public, max-age=31536000, immutable";
/** index.html names the current hashes: always revalidated. */
const REVALIDATE = "no-cache";

/**
 * Every response of the console: scripts and styles only from its own files (no inline script, no eval), data
 * only from its own origin, never framed.
 */
export const CONSOLE_HEADERS = {
  "content-security-policy":
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; " +
    "manifest-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "no-referrer",
  "cross-origin-opener-policy": "same-origin",
} as const;

/** The built console in memory, by path below `/console/`; empty when it was not built. */
export function loadConsoleAssets(dir: string): Map<string, ConsoleAsset> {
  const assets = new Map<string, ConsoleAsset>();
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile() && assets.size < MAX_FILES && statSync(path).size <= MAX_FILE_BYTES) {
        const name = relative(dir, path).split(sep).join("/");
        const body = readFileSync(path);
        const gzip = gzipSync(body, { level: 9 });
        assets.set(name, {
          body,
          gzip: gzip.length < body.length ? gzip : null,
          contentType: TYPES[extname(name)] ?? "application/octet-stream",
          cacheControl: name.startsWith("assets/") ? IMMUTABLE : REVALIDATE,
        });
      }
    }
  };
  try {
    walk(dir);
  } catch {
    return new Map();
  }
  return assets;
}

/**
 * The asset for a path below `/console/`: the file itself, else (a page of the single-page app) index.html.
 * A missing hashed asset or source map stays a 404: answering it with HTML would hide a stale deployment.
 */
export function resolveConsolePath(assets: ReadonlyMap<string, ConsoleAsset>, path: string): ConsoleAsset | null {
  const name = path.replace(/^\/+/, "");
  const file = assets.get(name);
  if (file) return file;
  if (name.startsWith("assets/") || extname(name) !== "") return null;
  return assets.get("index.html") ?? null;
}
