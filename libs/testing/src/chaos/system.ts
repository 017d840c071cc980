import { jetstreamManager, type JetStreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/nats-core";
import { connect } from "@nats-io/transport-node";
import { loadProvisionConfig, provision } from "@hookstream/provisioning";
import { createTestDatabase, type TestDatabase } from "../database";
import { type Answer, type ReceivedDelivery, TestDestination } from "../destination";
import { freePort } from "../free-port";
import { startNatsServer, type TestNats } from "../nats-server";
import { testEncryptionKey } from "../test-env";
import { PROCESS_SERVICES, type ProcessService, ServiceProcesses } from "./services";

export const CHAOS_ADMIN_TOKEN = "chaos-admin-token";
export const CHAOS_GITHUB_SECRET = "chaos-github-secret";

export interface ChaosSystemOptions {
  /** A build of the services (`buildServices().dir`, or the repository's `dist`). */
  distDir: string;
  /** Variables for provisioning and every service, over the defaults below (e.g. `JOB_BACKOFF`). */
  env?: Record<string, string>;
  /** Use this NATS (e.g. a cluster: `nats://a,nats://b`) instead of starting a private nats-server. */
  natsUrl?: string;
  /** Create the database on this server (admin URL) instead of the local PostgreSQL. */
  postgresAdminUrl?: string;
  /** Instances per service (default 1 each); replica `n > 1` is named `<service>#<n>`. */
  replicas?: Partial<Record<ProcessService, number>>;
  /** Services not to start now (e.g. the DLQ manager, started later by the scenario). */
  deferred?: ProcessService[];
}

/**
 * One Hookstream installation for one scenario: a private nats-server (restartable on its store) unless one is
 * given, a database of its own, provisioning from the contracts, the four services as real processes on free
 * ports, and a destination that verifies signatures. `stop()` removes all of it.
 */
export class ChaosSystem {
  /** Systems running now, so a runner interrupted (Ctrl-C) can stop them all. */
  static readonly running = new Set<ChaosSystem>();
  nats?: TestNats;
  natsUrl = "";
  db!: TestDatabase;
  nc!: NatsConnection;
  jsm!: JetStreamManager;
  services!: ServiceProcesses;
  readonly destinationSecret = TestDestination.secret("chaos");
  /** The destination every workspace delivers to unless given its own (one host: one circuit breaker). */
  readonly destination = new TestDestination(this.destinationSecret);
  readonly destinations: TestDestination[] = [this.destination];
  env: Record<string, string> = {};
  private readonly instancesByService = new Map<ProcessService, string[]>();

  static async start(opts: ChaosSystemOptions): Promise<ChaosSystem> {
    const system = new ChaosSystem();
    ChaosSystem.running.add(system);
    try {
      await system.boot(opts);
    } catch (e) {
      await system.stop().catch(() => undefined);
      throw e;
    }
    return system;
  }

  private async boot(opts: ChaosSystemOptions): Promise<void> {
    this.destination.keepBodies = false;
    await this.destination.start();
    if (opts.natsUrl) this.natsUrl = opts.natsUrl;
    else {
      this.nats = await startNatsServer();
      this.natsUrl = this.nats.url;
    }
    this.db = await createTestDatabase(opts.postgresAdminUrl);
    const ports: Record<string, number> = {};
    for (const service of PROCESS_SERVICES) {
      const names = Array.from({ length: opts.replicas?.[service] ?? 1 }, (_, i) => (i === 0 ? service : `${service}#${i + 1}`));
      this.instancesByService.set(service, names);
      for (const name of names) ports[name] = await freePort();
    }
    this.env = {
      NATS_URL: this.natsUrl,
      DATABASE_URL: this.db.url,
      ADMIN_TOKEN: CHAOS_ADMIN_TOKEN,
      GITHUB_WEBHOOK_SECRET: CHAOS_GITHUB_SECRET,
      HOOKSTREAM_ENCRYPTION_KEY: testEncryptionKey(),
      LOG_LEVEL: "warn",
      SHUTDOWN_GRACE: "5s",
      ...opts.env,
    };
    await provision(loadProvisionConfig(this.env));
    this.nc = await connect({ servers: this.natsUrl.split(","), maxReconnectAttempts: -1, reconnectTimeWait: 100 });
    this.jsm = await jetstreamManager(this.nc);
    this.services = new ServiceProcesses(opts.distDir, this.env, ports);
    const now = PROCESS_SERVICES.filter((s) => !opts.deferred?.includes(s)).flatMap((s) => this.instances(s));
    await Promise.all(now.map((i) => this.services.start(i)));
  }

  /** The instances of a service: `[service, service#2, …]`. */
  instances(service: ProcessService): string[] {
    return this.instancesByService.get(service) ?? [];
  }

  url(instance: string, path = ""): string {
    return `http://127.0.0.1:${this.services.port(instance)}${path}`;
  }

  ingressUrls(): string[] {
    return this.instances("ingress").map((i) => this.url(i));
  }

  /** Another destination, on its own port: a host of its own, as another customer's would be. */
  async newDestination(): Promise<TestDestination> {
    const d = new TestDestination(this.destinationSecret);
    d.keepBodies = false;
    this.destinations.push(d);
    await d.start();
    return d;
  }

  /** Every request any destination received for this `webhook-id`. */
  deliveries(id: string): ReceivedDelivery[] {
    return this.destinations.flatMap((d) => d.withId(id));
  }

  /**
   * Subscribes a workspace to `resource`, delivering to its own path (`/<workspaceId>`) on `destination` (default:
   * the shared one), answering `answer`.
   */
  async subscribe(workspaceId: string, resource: string, answer?: Answer | ((n: number) => Answer), destination = this.destination): Promise<void> {
    if (answer !== undefined) destination.answer(`/${workspaceId}`, answer);
    const res = await fetch(this.url(this.instances("router")[0]!, "/admin/subscriptions"), {
      method: "POST",
      headers: { authorization: `Bearer ${CHAOS_ADMIN_TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ workspaceId, source: "github", resource, destinationUrl: destination.url(`/${workspaceId}`), destinationSecret: this.destinationSecret }),
    });
    if (res.status !== 201) throw new Error(`subscription answered ${res.status}: ${await res.text()}`);
  }

  async stop(): Promise<void> {
    ChaosSystem.running.delete(this);
    await this.services?.stopAll();
    await this.nc?.close().catch(() => undefined);
    await this.db?.drop().catch(() => undefined);
    await this.nats?.destroy();
    await Promise.all(this.destinations.map((d) => d.stop()));
  }
}
