import { Inject, Injectable, type OnApplicationBootstrap, Optional } from "@nestjs/common";
import { getDataSourceToken } from "@nestjs/typeorm";
import type { Pool, PoolClient } from "pg";
import { Counter, Gauge, Histogram } from "prom-client";
import type { DataSource } from "typeorm";
import type { NatsConnection } from "@nats-io/nats-core";
import { NATS_CONNECTION } from "@hookstream/jetstream";
import { MetricsService } from "./metrics.service";

/** The pg Pool TypeORM's postgres driver queries through (`master` without replication); undefined for another driver. */
function poolOf(ds: DataSource): Pool | undefined {
  const pool = (ds.driver as unknown as { master?: Pool }).master;
  return pool && typeof pool.connect === "function" && "waitingCount" in pool ? pool : undefined;
}

type ConnectCallback = (err: Error | undefined, client: PoolClient | undefined, release: (release?: unknown) => void) => void;

/**
 * PostgreSQL pool health, read from the pool at scrape time: connections open, idle, the pool's maximum, requests
 * waiting for a connection, and how long getting one took. pg reports no wait time, so `connect` (which TypeORM
 * calls for every query and transaction) is wrapped on this pool instance to time it.
 */
export function watchDatabasePool(metrics: MetricsService, ds: DataSource): void {
  const pool = poolOf(ds);
  if (!pool) return;
  const registers = [metrics.registry];
  const gauges: [name: string, help: string, read: () => number][] = [
    ["hookstream_db_pool_connections", "PostgreSQL connections open in the pool, idle or in use", () => pool.totalCount],
    ["hookstream_db_pool_idle_connections", "PostgreSQL connections open in the pool and idle", () => pool.idleCount],
    ["hookstream_db_pool_max_connections", "Most PostgreSQL connections the pool opens", () => pool.options.max ?? 10],
    ["hookstream_db_pool_waiting_requests", "Requests waiting for a free PostgreSQL connection", () => pool.waitingCount],
  ];
  for (const [name, help, read] of gauges) {
    new Gauge({
      name,
      help,
      registers,
      collect() {
        this.set(read());
      },
    });
  }
  const acquire = new Histogram({
    name: "hookstream_db_pool_acquire_duration_seconds",
    help: "Time to get a connection from the PostgreSQL pool (waiting included; connecting too, for a new one)",
    buckets: [0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 2.5, 5],
    registers,
  });
  const connect = pool.connect.bind(pool) as (cb?: ConnectCallback) => Promise<PoolClient> | undefined;
  pool.connect = ((cb?: ConnectCallback) => {
    const end = acquire.startTimer();
    if (cb) {
      return connect((err, client, release) => {
        end();
        cb(err, client, release);
      });
    }
    return connect()!.finally(() => end());
  }) as Pool["connect"];
}

/** The client's buffer of bytes not yet written to the server (it grows while reconnecting); nats.js exposes no API for it. */
function pendingBytes(nc: NatsConnection): number {
  return (nc as unknown as { protocol?: { outbound?: { size(): number } } }).protocol?.outbound?.size() ?? 0;
}

/** NATS connection health: reconnections (from the connection's status events) and bytes waiting to be sent. */
export function watchNatsConnection(metrics: MetricsService, nc: NatsConnection): void {
  const registers = [metrics.registry];
  const reconnects = new Counter({ name: "hookstream_nats_reconnects_total", help: "Times the NATS connection was re-established after a loss", registers });
  new Gauge({
    name: "hookstream_nats_pending_bytes",
    help: "Bytes buffered by the NATS client, not yet written to the server",
    registers,
    collect() {
      this.set(pendingBytes(nc));
    },
  });
  // The iterator ends when the connection closes.
  void (async () => {
    for await (const status of nc.status()) if (status.type === "reconnect") reconnects.inc();
  })();
}

/** Wires the connection metrics of whatever this service has: every one has NATS, most have PostgreSQL too. */
@Injectable()
export class ConnectionMetrics implements OnApplicationBootstrap {
  constructor(
    private readonly metrics: MetricsService,
    @Optional() @Inject(NATS_CONNECTION) private readonly nc?: NatsConnection,
    @Optional() @Inject(getDataSourceToken()) private readonly ds?: DataSource,
  ) {}

  onApplicationBootstrap(): void {
    if (this.nc) watchNatsConnection(this.metrics, this.nc);
    if (this.ds) watchDatabasePool(this.metrics, this.ds);
  }
}
