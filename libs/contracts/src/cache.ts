import { createHash } from "node:crypto";

/**
 * Each workspace's cache is a NATS KV bucket, created by whoever caches for it (never by the worker), with keys
 * `<source>.<scope>.<anything>`: the worker drops `<source>.<scope>.>` when an event about that scope arrives
 * (see the worker's cache invalidation handler). Build names with these functions, so both sides agree.
 */

/** Bucket names allow [A-Za-z0-9_-], and the stream `KV_<bucket>` at most 255 characters. */
const SAFE_BUCKET_ID = /^[A-Za-z0-9_-]{1,200}$/;

/** The two forms of a cache bucket's name: the workspace id itself, or its hash. */
const BY_ID = "cache_";
const BY_HASH = "cache-";

/** `cache_<workspace id>` when the id is a valid bucket name, else `cache-<sha256 of the id>` (never the same). */
export function cacheBucketName(workspaceId: string): string {
  return SAFE_BUCKET_ID.test(workspaceId) ? `${BY_ID}${workspaceId}` : `${BY_HASH}${createHash("sha256").update(workspaceId).digest("hex")}`;
}

/** Whether `bucket` is named like a workspace's cache (either form cacheBucketName gives). */
export const isCacheBucketName = (bucket: string) => bucket.startsWith(BY_ID) || bucket.startsWith(BY_HASH);

/** A scope (repository, object id) as one key token: KV keys allow [-/=_A-Za-z0-9], and `.` separates tokens. */
export function cacheKeyToken(value: string): string {
  const token = value.replace(/[^-/=\w]/g, "_");
  return token.length > 0 ? token : "_";
}

/** The key filter for everything cached about one scope of a source, e.g. `github.acme/api.>`. */
export const cacheScopeFilter = (source: string, scope: string) => `${cacheKeyToken(source)}.${cacheKeyToken(scope)}.>`;
