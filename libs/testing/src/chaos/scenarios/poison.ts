import { randomUUID } from "node:crypto";
import { jetstream } from "@nats-io/jetstream";
import { STREAMS, SUBJECTS } from "@hookstream/contracts";
import { account, type Figures } from "../accounting";
import { sleep, waitUntil } from "../wait";
import { RESOURCE, type ScenarioContext, settleMs, startLoad } from "./context";

const WORKSPACES = ["ws-a", "ws-b"].map((id) => ({ id, expect: "delivered" as const }));

/**
 * Scenario 7: poison messages published by hand to JOBS in the middle of the load: bytes that are not JSON, JSON
 * that is not a job, a job for a source no handler knows, and a job pointing at an event WEBHOOKS never stored.
 * Each must be dead-lettered as `validation`, and the workers keep processing the rest.
 */
export async function poisonJobs(ctx: ScenarioContext): Promise<Figures[]> {
  const { system, sender } = await startLoad(ctx, "poison", WORKSPACES.map((w) => w.id));
  try {
    await sleep((ctx.loadSeconds * 1000) / 2);
    const [sub] = await system.db.query<{ id: string }>("SELECT id FROM subscriptions WHERE workspace_id = 'ws-a'");
    const job = (source: string, seq: number) => ({
      jobId: `poison-${source}-${seq}:ws-a`,
      workspaceId: "ws-a",
      subscriptionId: sub!.id,
      event: { id: `poison-${source}-${seq}`, seq, source, type: "push", resource: RESOURCE, receivedAt: new Date().toISOString() },
    });
    const poisons: Record<string, Uint8Array | string> = {
      "not JSON": new Uint8Array([0xff, 0x00, 0x7b, 0x7b]),
      "not a job": JSON.stringify({ hello: "world" }),
      "unknown source (no handler)": JSON.stringify(job("nonexistent", 1)),
      "event not on WEBHOOKS": JSON.stringify(job("github", 9_999_999)),
    };
    const js = jetstream(system.nc);
    const seqs = new Map<number, string>();
    const start = Date.now();
    for (const [name, data] of Object.entries(poisons)) {
      const ack = await js.publish(SUBJECTS.job("github", "push"), data, { msgID: randomUUID() });
      seqs.set(ack.seq, name);
    }
    ctx.log(`published ${seqs.size} poison messages to ${STREAMS.jobs}`);
    await sleep((ctx.loadSeconds * 1000) / 2);
    await sender.stop();
    const entries = await waitUntil(async () => {
      const rows = await system.db.query<{ seq: string; category: string }>(
        `SELECT stream_seq AS seq, error_category AS category FROM dead_letter_queue WHERE stream = $1 AND stream_seq = ANY($2)`,
        [STREAMS.jobs, [...seqs.keys()]],
      );
      return rows.length >= seqs.size && rows;
    }, "a DLQ entry for every poison message", 60_000, 250).catch((e: Error) => (ctx.log(e.message), []));
    const end = Date.now();
    const f = await account(system, sender, { scenario: "7. poison messages on JOBS", workspaces: WORKSPACES, faultStart: start, faultEnd: end, log: ctx.log, settleTimeoutMs: settleMs(ctx) });
    const found = new Map(entries.map((r) => [Number(r.seq), r]));
    const described = [...seqs].map(([seq, name]) => `${name}: ${found.get(seq)?.category ?? "not dead-lettered"}`);
    f.extra = { "poison dead-lettered as validation": `${entries.filter((r) => r.category === "validation").length}/${seqs.size}`, detail: described.join(", ") };
    for (const [seq, name] of seqs) {
      const e = found.get(seq);
      if (!e) f.violations.push(`poison "${name}" never dead-lettered`);
      else if (e.category !== "validation") f.violations.push(`poison "${name}" dead-lettered as ${e.category}`);
    }
    return [f];
  } finally {
    await sender.stop();
    await system.stop();
  }
}
