import { createHmac } from "node:crypto";
import type { INestApplication } from "@nestjs/common";
import { connect } from "@nats-io/transport-node";
import type { NatsConnection } from "@nats-io/nats-core";
import { jetstreamManager, type JetStreamManager } from "@nats-io/jetstream";
import { loadProvisionConfig, provision } from "@hookstream/provisioning";
import { createTestDatabase, freePort, startNatsServer, type TestDatabase, type TestNats, testEncryptionKey } from "@hookstream/testing";
import { loadIngressConfig } from "../../services/ingress/src/config";
import { createIngress } from "../../services/ingress/src/ingress.app";
import { loadRouterConfig } from "../../services/router/src/config";
import { createRouter } from "../../services/router/src/router.app";
import { loadWorkerConfig } from "../../services/workspace-worker/src/config";
import { createWorker } from "../../services/workspace-worker/src/worker.app";
import { loadDlqConfig } from "../../services/dlq-manager/src/config";
import { createDlqManager } from "../../services/dlq-manager/src/dlq.app";

export const ADMIN_TOKEN = "test-admin-token";
export const READ_TOKEN = "test-read-token";
export const GITHUB_SECRET = "test-github-secret";

export type ServiceName = "ingress" | "router" | "worker" | "dlq";

/**
 * The whole system in this test process, on a private nats-server, a database of its own and free ports:
 * provisioned from the contracts and started from the services' own modules, as `npm start` does.
 */
export class TestStack {
  nats!: TestNats;
  db!: TestDatabase;
  nc!: NatsConnection;
  jsm!: JetStreamManager;
  readonly apps = new Map<ServiceName, INestApplication>();
  readonly ports = {} as Record<ServiceName, number>;
  env: Record<string, string> = {};

  async start(overrides: Record<string, string> = {}, services: ServiceName[] = ["ingress", "router", "worker", "dlq"]): Promise<this> {
    [this.nats, this.db] = await Promise.all([startNatsServer(), createTestDatabase()]);
    for (const s of ["ingress", "router", "worker", "dlq"] as ServiceName[]) this.ports[s] = await freePort();
    this.env = {
      NATS_URL: this.nats.url,
      DATABASE_URL: this.db.url,
      ADMIN_TOKEN,
      ADMIN_READ_TOKEN: READ_TOKEN,
      GITHUB_WEBHOOK_SECRET: GITHUB_SECRET,
      HOOKSTREAM_ENCRYPTION_KEY: testEncryptionKey(),
      INGRESS_PORT: String(this.ports.ingress),
      ROUTER_PORT: String(this.ports.router),
      WORKER_PORT: String(this.ports.worker),
      DLQ_PORT: String(this.ports.dlq),
      LOG_LEVEL: "warn",
      SHUTDOWN_GRACE: "2s",
      ...overrides,
    };
    await provision(loadProvisionConfig(this.env));
    // Reconnect as fast as the services do, for tests that restart NATS.
    this.nc = await connect({ servers: this.nats.url, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
    this.jsm = await jetstreamManager(this.nc);
    for (const s of services) await this.startService(s);
    return this;
  }

  async startService(s: ServiceName): Promise<void> {
    const create: Record<ServiceName, () => Promise<INestApplication>> = {
      ingress: () => createIngress(loadIngressConfig(this.env)),
      router: () => createRouter(loadRouterConfig(this.env)),
      worker: () => createWorker(loadWorkerConfig(this.env)),
      dlq: () => createDlqManager(loadDlqConfig(this.env)),
    };
    this.apps.set(s, await create[s]());
  }

  async stopService(s: ServiceName): Promise<void> {
    await this.apps.get(s)?.close();
    this.apps.delete(s);
  }

  url(s: ServiceName, path: string): string {
    return `http://127.0.0.1:${this.ports[s]}${path}`;
  }

  admin(s: ServiceName, method: string, path: string, body?: unknown, token = ADMIN_TOKEN): Promise<Response> {
    return fetch(this.url(s, path), {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  }

  async subscribe(body: { workspaceId: string; resource: string; destinationUrl?: string; destinationSecret?: string; source?: string }) {
    const res = await this.admin("router", "POST", "/admin/subscriptions", { source: "github", ...body });
    if (res.status !== 201) throw new Error(`subscription answered ${res.status}: ${await res.text()}`);
    return (await res.json()) as { id: string; destinationSecret: string | null };
  }

  sendGithub(opts: { event: string; delivery: string; body: unknown; secret?: string; signature?: string }): Promise<Response> {
    const raw = JSON.stringify(opts.body);
    const signature = opts.signature ?? `sha256=${createHmac("sha256", opts.secret ?? GITHUB_SECRET).update(raw).digest("hex")}`;
    return fetch(this.url("ingress", "/webhooks/github"), {
      method: "POST",
      headers: { "content-type": "application/json", "x-github-event": opts.event, "x-github-delivery": opts.delivery, "x-hub-signature-256": signature },
      body: raw,
    });
  }

  async streamMessages(stream: string): Promise<number> {
    return (await this.jsm.streams.info(stream)).state.messages;
  }

  async stop(): Promise<void> {
    for (const s of [...this.apps.keys()].reverse()) await this.stopService(s);
    await this.nc?.close();
    await this.db?.drop();
    await this.nats?.destroy();
  }
}
