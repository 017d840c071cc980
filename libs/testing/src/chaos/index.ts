/**
 * Chaos harness: Hookstream's real services as processes, broken on purpose, and an account of every webhook.
 *
 * A scenario is:
 *   const build = buildServices();                       // or the repository's dist/ (npm run chaos builds it)
 *   const system = await ChaosSystem.start({ distDir: build.dir, env: { JOB_BACKOFF: "1s" } });
 *   //  options: natsUrl (a cluster instead of a private nats-server), postgresAdminUrl (another PostgreSQL),
 *   //  replicas ({ "workspace-worker": 3 } → instances workspace-worker, workspace-worker#2, #3), deferred services.
 *   await system.subscribe("ws-1", "acme/chaos");                       // destination path /ws-1, answers 200
 *   await system.subscribe("ws-2", "acme/chaos", (n) => (n % 3 ? 503 : 200)); // any Answer or function of n
 *   await system.subscribe("ws-3", "acme/chaos", 200, await system.newDestination()); // a host (breaker) of its own
 *   const sender = new ProviderSender({ ingressUrls: system.ingressUrls(), secret: CHAOS_GITHUB_SECRET,
 *                                       resource: "acme/chaos", prefix: "run1" });
 *   sender.start(100);                                   // signed GitHub pushes per second, retried like GitHub
 *   await system.services.kill("router"); await system.services.start("router");   // the fault
 *   await sender.stop();                                 // every event accepted or given up
 *   const figures = await account(system, sender, { scenario: "…", workspaces: [{ id: "ws-1", expect: "delivered" }],
 *                                                   faultStart, faultEnd });
 *   invariantViolations(figures);                        // [] when nothing was lost or applied twice
 *   await system.stop();
 *
 * Pieces: `ServiceProcesses` (start/stop/kill/ready/pid/tail per instance), `startNatsServer` (kill/start on the
 * same store), `startPrivatePostgres` (initdb/pg_ctl; stop/start), `TestDestination` (verifies Standard Webhooks
 * signatures, indexes by `webhook-id`, scripted answers: status, headers, delay), `ProviderSender`, `account`
 * (sent, accepted, processed, lost, duplicated effects from PostgreSQL, duplicate deliveries, p99, recovery),
 * `figuresTable`, `waitForOutcomes` (let a backlog drain between faults), `system.deliveries(webhookId)` (every
 * destination's requests for one job). The eight scenarios of issue #9 are in ./scenarios, each `(ctx) => Promise<Figures[]>`.
 */
export * from "./accounting";
export * from "./postgres";
export * from "./report";
export * from "./sender";
export * from "./services";
export * from "./system";
export * from "./wait";
export * from "./scenarios";
