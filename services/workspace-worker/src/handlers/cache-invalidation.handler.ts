import { Inject, Injectable } from "@nestjs/common";
import { type JetStreamClient, JetStreamApiCodes, JetStreamApiError } from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import { cacheBucketName, HookstreamError } from "@hookstream/contracts";
import { JETSTREAM } from "@hookstream/jetstream";
import { WorkerMetrics } from "../worker.metrics";
import { CacheBucketsDirectory } from "./cache-buckets.directory";
import { invalidatedFilters } from "./cache-scopes";
import { HandlesJobs, type JobHandlerProvider, type JobInput } from "./job-handler";

/** GitHub events that change what a workspace may have cached about a repository. */
const GITHUB_CHANGES = [
  "push",
  "create",
  "delete",
  "pull_request",
  "pull_request_review",
  "pull_request_review_comment",
  "issues",
  "issue_comment",
  "label",
  "milestone",
  "release",
  "repository",
  "member",
  "deployment_status",
  "discussion",
  "discussion_comment",
];

/**
 * Drops the keys an event makes stale from its workspace's KV bucket (see cacheBucketName and cacheScopeFilter).
 * Keys are purged one by one, leaving purge markers, so a KV watcher keeping a local copy sees them go. A workspace
 * without a bucket caches nothing: the worker never creates one, and asks NATS nothing when the directory knows
 * there is none. Opening a bucket costs no request (`kvm.open` binds by name): the purge's key listing is the first.
 */
@HandlesJobs({
  name: "cache-invalidation",
  order: 20,
  handles: [
    { source: "github", eventTypes: GITHUB_CHANGES },
    { source: "stripe", eventTypes: "*" },
  ],
})
@Injectable()
export class CacheInvalidationHandler implements JobHandlerProvider {
  private readonly kvm: Kvm;

  constructor(
    @Inject(JETSTREAM) js: JetStreamClient,
    private readonly buckets: CacheBucketsDirectory,
    private readonly metrics: WorkerMetrics,
  ) {
    this.kvm = new Kvm(js);
  }

  async handle({ job, event }: JobInput): Promise<void> {
    const filters = invalidatedFilters(event);
    if (filters.length === 0) return;
    const bucket = cacheBucketName(job.workspaceId);
    if (this.buckets.lacks(bucket)) return void this.metrics.cacheInvalidations.inc({ outcome: "no_bucket" });
    try {
      const kv = await this.kvm.open(bucket);
      for (const filter of filters) await kv.purge(filter);
      this.metrics.cacheInvalidations.inc({ outcome: "dropped" });
    } catch (e) {
      // Asked while the directory is incomplete, or the bucket was deleted since it was listed.
      if (e instanceof JetStreamApiError && e.code === JetStreamApiCodes.StreamNotFound) {
        this.metrics.cacheInvalidations.inc({ outcome: "no_bucket" });
        return;
      }
      throw new HookstreamError("external_api", `dropping ${filters.join(", ")} from KV bucket ${bucket}: ${(e as Error).message}`, { cause: e });
    }
  }
}
