/**
 * The cache-invalidation handler and its directory of cache buckets against a nats-server of this file's own. A
 * third connection sees every JetStream API request and KV write, which shows the jobs that ask NATS.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import type { ConnectionOptions, NatsConnection } from "@nats-io/nats-core";
import { connect } from "@nats-io/transport-node";
import { cacheBucketName } from "@hookstream/contracts";
import { MetricsService } from "@hookstream/platform";
import { freePort, natsServerBinary, startNatsProcess, startNatsServer, type TestNats } from "@hookstream/testing";
import { eventually } from "../../../test/support/eventually";
import type { CircuitBreakers } from "../src/circuit-breaker";
import { CacheBucketsDirectory } from "../src/handlers/cache-buckets.directory";
import { CacheInvalidationHandler } from "../src/handlers/cache-invalidation.handler";
import type { JobInput } from "../src/handlers/job-handler";
import { WorkerMetrics } from "../src/worker.metrics";

jest.setTimeout(60_000);

/** Between reconnection attempts of the worker's connection: long enough to create a bucket while it is away. */
const RECONNECT_WAIT_MS = 6000;

let nats: TestNats;
/** The worker's connection, the cache owners' and the observer's. */
let nc: NatsConnection;
let owner: NatsConnection;
let observer: NatsConnection;
let directory: CacheBucketsDirectory;
let handler: CacheInvalidationHandler;
const metrics = new WorkerMetrics(new MetricsService("test"), { countByState: () => ({}) } as unknown as CircuitBreakers);
/** Every subject the observer saw. */
const seen: string[] = [];
let markers = 0;

/** Only what the handler reads of a job: its workspace, and a push to acme/dir (drops `github.acme/dir.>`). */
const job = (workspaceId: string) => ({ job: { workspaceId }, event: { source: "github", resource: "acme/dir", payload: {} } }) as unknown as JobInput;
const bucket = (workspaceId: string) => cacheBucketName(`dir-${workspaceId}`);
const handle = (workspaceId: string, h = handler) => h.handle(job(`dir-${workspaceId}`));

/** Requests and KV writes about a workspace's bucket so far, once the observer has seen all the worker sent. */
async function asks(workspaceId: string, from = nc): Promise<number> {
  const marker = `test.marker.${++markers}`;
  from.publish(marker);
  await eventually(() => seen.includes(marker), "the observer to catch up");
  const b = bucket(workspaceId);
  return seen.filter((s) => s.includes(`.KV_${b}.`) || s.endsWith(`.KV_${b}`) || s.startsWith(`$KV.${b}.`)).length;
}

const outcomes = async (outcome: string) => (await metrics.cacheInvalidations.get()).values.find((v) => v.labels.outcome === outcome)?.value ?? 0;

async function cache(workspaceId: string, by = owner): Promise<void> {
  const kv = await new Kvm(by).create(bucket(workspaceId));
  for (const key of ["github.acme/dir.readme", "github.acme/other.readme"]) await kv.put(key, "cached");
}

async function keys(workspaceId: string): Promise<string[]> {
  const found: string[] = [];
  for await (const k of await (await new Kvm(owner).open(bucket(workspaceId))).keys()) found.push(k);
  return found.sort();
}

async function observe(url: string, options: ConnectionOptions = {}): Promise<NatsConnection> {
  const c: NatsConnection = await connect({ servers: url, maxReconnectAttempts: -1, reconnectTimeWait: 100, ...options });
  for (const subject of ["$JS.API.>", "$KV.>", "test.marker.>"]) c.subscribe(subject, { callback: (_err, msg) => void seen.push(msg.subject) });
  await c.flush();
  return c;
}

beforeAll(async () => {
  nats = await startNatsServer();
  nc = await connect({ servers: nats.url, maxReconnectAttempts: -1, reconnectTimeWait: RECONNECT_WAIT_MS, reconnectJitter: 0 });
  owner = await connect({ servers: nats.url, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
  observer = await observe(nats.url);
  directory = new CacheBucketsDirectory(nc, await jetstreamManager(nc));
  handler = new CacheInvalidationHandler(jetstream(nc), directory, metrics);
});

afterAll(async () => {
  directory?.onModuleDestroy();
  await Promise.all([nc, owner, observer].map((c) => c?.close()));
  await nats?.destroy();
});

it("asks per job until the first listing finished, then never for a workspace without a bucket", async () => {
  await cache("before");
  const started = directory.onModuleInit();
  // Nothing known yet: the job asks, finds no stream, and counts as no bucket.
  expect(directory.isComplete).toBe(false);
  await handle("none");
  await started;
  expect(directory.isComplete).toBe(true);
  const asked = await asks("none");
  expect(asked).toBeGreaterThan(0);
  expect(await outcomes("no_bucket")).toBe(1);

  await handle("none");
  expect(await asks("none")).toBe(asked);
  expect(await outcomes("no_bucket")).toBe(2);

  // A bucket that existed before the listing is known, and its keys are dropped.
  expect(directory.lacks(bucket("before"))).toBe(false);
  await handle("before");
  expect(await keys("before")).toEqual(["github.acme/other.readme"]);
  expect(await outcomes("dropped")).toBe(1);
});

it("hears of a bucket created after the listing, and of a bucket deleted", async () => {
  expect(directory.lacks(bucket("after"))).toBe(true);
  await cache("after");
  await eventually(() => !directory.lacks(bucket("after")), "the new bucket to be heard of");
  await handle("after");
  expect(await keys("after")).toEqual(["github.acme/other.readme"]);

  await (await new Kvm(owner).open(bucket("after"))).destroy();
  await eventually(() => directory.lacks(bucket("after")), "the deleted bucket to be forgotten");
  const asked = await asks("after");
  await handle("after");
  expect(await asks("after")).toBe(asked);
  expect(directory.isComplete).toBe(true);
});

it("knows nothing while disconnected, and lists again after reconnecting, finding a bucket created meanwhile", async () => {
  let reconnected = false;
  void (async () => {
    for await (const s of nc.status()) if (s.type === "reconnect") reconnected = true;
  })();
  await nats.kill();
  await eventually(() => !directory.isComplete, "the directory to notice the disconnection");
  expect(directory.lacks(bucket("none"))).toBe(false);

  await nats.start();
  // By a connection of its own: the owner's may still be reconnecting.
  const creator: NatsConnection = await connect({ servers: nats.url });
  await cache("away", creator);
  await creator.close();
  // Created while the worker was away: no announcement reached it.
  expect(reconnected).toBe(false);
  expect(directory.isComplete).toBe(false);

  await eventually(() => directory.isComplete, "the listing after the reconnection", 20_000);
  expect(reconnected).toBe(true);
  expect([directory.lacks(bucket("away")), directory.lacks(bucket("before")), directory.lacks(bucket("none"))]).toEqual([false, false, true]);
  await handle("away");
  expect(await keys("away")).toEqual(["github.acme/other.readme"]);
});

(natsServerBinary() ? it : it.skip)("asks per job when it may not hear of streams created and deleted", async () => {
  // A server where the worker's user may not subscribe to JetStream's announcements.
  const store = mkdtempSync(join(tmpdir(), "hookstream-nats-deaf-"));
  const config = join(store, "nats.conf");
  writeFileSync(config, 'authorization { users = [ { user: "worker", password: "worker", permissions: { subscribe: { deny: ["$JS.EVENT.>"] } } } ] }\n');
  const deaf = await startNatsProcess(natsServerBinary()!, await freePort(), store, ["-c", config]);
  const worker: NatsConnection = await connect({ servers: deaf.url, user: "worker", pass: "worker" });
  const watcher = await observe(deaf.url, { user: "worker", pass: "worker" });
  const deafDirectory = new CacheBucketsDirectory(worker, await jetstreamManager(worker));
  try {
    await deafDirectory.onModuleInit();
    expect(deafDirectory.isComplete).toBe(false);
    expect(deafDirectory.lacks(bucket("none"))).toBe(false);
    const before = await outcomes("no_bucket");
    await handle("deaf", new CacheInvalidationHandler(jetstream(worker), deafDirectory, metrics));
    expect(await asks("deaf", worker)).toBeGreaterThan(0);
    expect(await outcomes("no_bucket")).toBe(before + 1);
  } finally {
    deafDirectory.onModuleDestroy();
    await Promise.all([worker.close(), watcher.close()]);
    await deaf.destroy();
  }
});
