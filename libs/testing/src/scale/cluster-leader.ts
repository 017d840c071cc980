import { CONSUMERS, STREAMS } from "@hookstream/contracts";
import { account, type Figures, waitForOutcomes } from "../chaos/accounting";
import { type ScenarioContext, startLoad } from "../chaos/scenarios/context";
import { sleep, waitUntil } from "../chaos/wait";
import { startNatsCluster } from "../nats-cluster";

const WORKSPACES = ["ws-a", "ws-b"].map((id) => ({ id, expect: "delivered" as const }));

/**
 * Scale-out 1: Hookstream on a 3-node JetStream cluster, every stream at 3 replicas, the services given all three
 * URLs. Under a steady load, `kill -9` the node leading WEBHOOKS, leave it down for the fault time and start it
 * again on its store; then ask the WEBHOOKS and JOBS streams and the workers' consumer to step down (a rolling
 * upgrade's leader moves). One row per fault, over the events first sent during it, and one for the whole run.
 */
export async function clusterLeaderLoss(ctx: ScenarioContext): Promise<Figures[]> {
  const cluster = await startNatsCluster(3);
  try {
    const { system, sender } = await startLoad(ctx, "leader", WORKSPACES.map((w) => w.id), {
      natsUrl: cluster.url,
      // No per-workspace limit below the process's: with two workspaces, the backlog an election leaves would be paced
      // by the fairness limit (a quarter of WORKER_CONCURRENCY each), and the recovery measured would be that pacing.
      env: { STREAM_REPLICAS: "3", WORKSPACE_CONCURRENCY: "32" },
    });
    try {
      const leaderOf = async (stream: string) => (await system.jsm.streams.info(stream)).cluster?.leader ?? "";
      const rows: Figures[] = [];
      await sleep((ctx.loadSeconds * 1000) / 2);

      const killed = await leaderOf(STREAMS.webhooks);
      const ledJobs = (await leaderOf(STREAMS.jobs)) === killed;
      const start = Date.now();
      await cluster.node(killed).kill();
      ctx.log(`killed ${killed}, the WEBHOOKS leader${ledJobs ? " (and the JOBS leader)" : ""}`);
      const successor = await waitUntil(async () => {
        const l = await leaderOf(STREAMS.webhooks);
        return l && l !== killed ? l : undefined;
      }, "a new WEBHOOKS leader", 60_000, 200);
      const electedMs = Date.now() - start;
      ctx.log(`${successor} leads WEBHOOKS after ${electedMs} ms`);
      await sleep(Math.max(0, (ctx.faultSeconds ?? 5) * 1000 - electedMs));
      await cluster.node(killed).start();
      const end = Date.now();
      ctx.log(`${killed} back`);
      await waitForOutcomes(system, sender, WORKSPACES, end);
      const kill = await account(system, sender, { scenario: "9. kill -9 of the WEBHOOKS leader (3 nodes, R3)", workspaces: WORKSPACES, faultStart: start, faultEnd: end, events: (e) => e.firstAt >= start && e.firstAt < end, quietMs: 0, log: ctx.log });
      kill.extra = { "killed": `${killed}${ledJobs ? " (led JOBS too)" : ""}`, "new leader after (s)": (electedMs / 1000).toFixed(1) };
      rows.push(kill);

      await sleep((ctx.loadSeconds * 1000) / 2);
      const before = { webhooks: await leaderOf(STREAMS.webhooks), jobs: await leaderOf(STREAMS.jobs) };
      const stepStart = Date.now();
      for (const subject of [`$JS.API.STREAM.LEADER.STEPDOWN.${STREAMS.webhooks}`, `$JS.API.STREAM.LEADER.STEPDOWN.${STREAMS.jobs}`, `$JS.API.CONSUMER.LEADER.STEPDOWN.${STREAMS.jobs}.${CONSUMERS.workspaceWorker}`]) {
        await system.nc.request(subject, undefined, { timeout: 10_000 });
      }
      await waitUntil(async () => (await leaderOf(STREAMS.webhooks)) && (await leaderOf(STREAMS.jobs)), "leaders after the step-down", 60_000, 200);
      const stepEnd = Date.now() + 1000;
      await sleep(stepEnd - Date.now());
      const after = { webhooks: await leaderOf(STREAMS.webhooks), jobs: await leaderOf(STREAMS.jobs) };
      ctx.log(`step-down: WEBHOOKS ${before.webhooks} → ${after.webhooks}, JOBS ${before.jobs} → ${after.jobs}`);
      await waitForOutcomes(system, sender, WORKSPACES, stepEnd);
      const step = await account(system, sender, { scenario: "9. leader step-down of WEBHOOKS, JOBS and the workers' consumer", workspaces: WORKSPACES, faultStart: stepStart, faultEnd: stepEnd, events: (e) => e.firstAt >= stepStart && e.firstAt < stepEnd, quietMs: 0, log: ctx.log });
      step.extra = { "WEBHOOKS leader": `${before.webhooks} → ${after.webhooks}`, "JOBS leader": `${before.jobs} → ${after.jobs}` };
      rows.push(step);

      await sleep((ctx.loadSeconds * 1000) / 4);
      await sender.stop();
      rows.push(await account(system, sender, { scenario: "9. (whole run)", workspaces: WORKSPACES, settleTimeoutMs: (ctx.settleSeconds ?? 120) * 1000, log: ctx.log }));
      return rows;
    } finally {
      await sender.stop();
      await system.stop();
    }
  } finally {
    await cluster.destroy();
  }
}
