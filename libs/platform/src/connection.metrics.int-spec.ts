/**
 * Pool and connection health from a real pg pool under TypeORM and a real NATS connection that loses its server,
 * in the exposition format promtool accepts.
 */
import { spawnSync } from "node:child_process";
import { DataSource, type QueryRunner } from "typeorm";
import type { NatsConnection } from "@nats-io/nats-core";
import { dataSourceOptions } from "@hookstream/database";
import { connectNats } from "@hookstream/jetstream";
import { createTestDatabase, startNatsServer, type TestDatabase, type TestNats } from "@hookstream/testing";
import { eventually } from "../../../test/support/eventually";
import { watchDatabasePool, watchNatsConnection } from "./connection.metrics";
import { MetricsService } from "./metrics.service";

let db: TestDatabase;
let nats: TestNats;
let ds: DataSource;
let nc: NatsConnection;
const metrics = new MetricsService("test");

/** One unlabelled series' value (`name{service="test"} 3`), scraped the OpenMetrics way. */
const value = async (name: string) => {
  const { body } = await metrics.render("application/openmetrics-text; version=1.0.0");
  const match = new RegExp(`^${name}\\{service="test"\\} (\\S+)$`, "m").exec(body);
  if (!match) throw new Error(`${name} is not exported`);
  return Number(match[1]);
};

beforeAll(async () => {
  [db, nats] = await Promise.all([createTestDatabase(), startNatsServer()]);
  ds = await new DataSource(dataSourceOptions(db.url, 2)).initialize();
  nc = await connectNats({ url: nats.url, name: "connection-metrics-test" });
  watchDatabasePool(metrics, ds);
  watchNatsConnection(metrics, nc);
});

afterAll(async () => {
  await nc?.close();
  await ds?.destroy();
  await Promise.all([db?.drop(), nats?.destroy()]);
});

describe("PostgreSQL pool", () => {
  it("reports open, idle, maximum and waiting connections, and times every acquisition", async () => {
    await ds.query("SELECT 1");
    expect(await value("hookstream_db_pool_max_connections")).toBe(2);
    const acquiredBefore = await value("hookstream_db_pool_acquire_duration_seconds_count");
    expect(acquiredBefore).toBeGreaterThan(0);

    // Both connections taken: the next query waits for one.
    const held: QueryRunner[] = [ds.createQueryRunner(), ds.createQueryRunner()];
    for (const qr of held) await qr.connect();
    expect(await value("hookstream_db_pool_connections")).toBe(2);
    expect(await value("hookstream_db_pool_idle_connections")).toBe(0);
    const waiting = ds.query("SELECT 1");
    await eventually(async () => (await value("hookstream_db_pool_waiting_requests")) === 1, "a request waiting for a connection");

    for (const qr of held) await qr.release();
    await waiting;
    expect(await value("hookstream_db_pool_waiting_requests")).toBe(0);
    expect(await value("hookstream_db_pool_idle_connections")).toBe(2);
    expect(await value("hookstream_db_pool_acquire_duration_seconds_count")).toBe(acquiredBefore + 3);
  });
});

describe("NATS connection", () => {
  it("counts reconnections and shows the bytes buffered while the server is away", async () => {
    expect(await value("hookstream_nats_reconnects_total")).toBe(0);
    await nats.kill();
    // Published while disconnected: held by the client until it is back.
    for (let i = 0; i < 10; i++) nc.publish("retained.while.away", new Uint8Array(100));
    expect(await value("hookstream_nats_pending_bytes")).toBeGreaterThanOrEqual(1000);
    await nats.start();
    await eventually(async () => (await value("hookstream_nats_reconnects_total")) === 1, "the reconnection to be counted");
    await nc.flush();
    expect(await value("hookstream_nats_pending_bytes")).toBe(0);
  });
});

it("passes promtool's checks", async () => {
  // What a Prometheus scrape (no OpenMetrics Accept header) gets, after the OpenMetrics scrapes above.
  const { body } = await metrics.render(undefined);
  const check = spawnSync("promtool", ["check", "metrics"], { input: body, encoding: "utf8" });
  if (check.error) throw new Error("promtool is not installed: `apt-get install -y prometheus` (Debian package `prometheus`) provides /usr/bin/promtool");
  const problems = `${check.stdout}\n${check.stderr}`.split("\n").filter((l) => l.trim() && !/^hookstream_nodejs_active_\w+_total non-counter/.test(l));
  expect(problems).toEqual([]);
});
