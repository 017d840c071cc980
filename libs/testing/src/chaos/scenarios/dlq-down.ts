import { STREAMS } from "@hookstream/contracts";
import { account, type Figures } from "../accounting";
import { sleep, waitUntil } from "../wait";
import { type ScenarioContext, settleMs, startLoad } from "./context";

/**
 * Scenario 5: the DLQ manager is down while jobs fail, for good (a 400: terminated at once) or until their
 * deliveries run out (500s), and started only after all of them failed. Every failure must still become exactly
 * one dead-letter entry: the advisories wait in the ADVISORIES stream.
 */
export async function dlqManagerDown(ctx: ScenarioContext): Promise<Figures[]> {
  const workspaces = [
    { id: "ws-ok", expect: "delivered" as const },
    { id: "ws-400", expect: "dead-lettered" as const },
    { id: "ws-500", expect: "dead-lettered" as const },
  ];
  const { system, sender } = await startLoad(
    ctx,
    "dlq",
    workspaces.map((w) => w.id),
    // Three quick deliveries, so the 500s run out within the run.
    { deferred: ["dlq-manager"], env: { JOB_BACKOFF: "300ms,600ms", JOB_MAX_DELIVER: "3" } },
  );
  system.destination.answer("/ws-400", 400);
  system.destination.answer("/ws-500", 500);
  try {
    const start = Date.now();
    await sleep(ctx.loadSeconds * 1000);
    await sender.stop();
    const accepted = sender.accepted().length;
    // Every failing job has failed for good once its advisory (termination or max deliveries) waits in ADVISORIES.
    await waitUntil(
      async () => (await system.jsm.streams.info(STREAMS.advisories)).state.messages >= accepted * 2,
      "an advisory for every failing job",
      120_000,
      250,
    );
    await sleep(1000);
    const [before] = await system.db.query<{ n: string }>("SELECT count(*) AS n FROM dead_letter_queue");
    if (Number(before!.n) !== 0) throw new Error(`the DLQ manager is down, yet ${before!.n} entries exist`);
    await system.services.start("dlq-manager");
    const end = Date.now();
    ctx.log(`all ${accepted * 2} jobs failed; DLQ manager started`);
    const f = await account(system, sender, { scenario: "5. DLQ manager down while jobs fail", workspaces, faultStart: start, faultEnd: end, log: ctx.log, settleTimeoutMs: settleMs(ctx) });
    const rows = await system.db.query<{ workspace_id: string; category: string; n: string }>(
      "SELECT workspace_id, error_category AS category, count(*) AS n FROM dead_letter_queue GROUP BY 1, 2 ORDER BY 1, 2",
    );
    const entries = rows.reduce((n, r) => n + Number(r.n), 0);
    f.extra = { "DLQ entries": entries, "expected": f.accepted * 2, categories: rows.map((r) => `${r.workspace_id}:${r.category}=${r.n}`).join(" ") };
    if (entries !== f.accepted * 2) f.violations.push(`${entries} DLQ entries for ${f.accepted * 2} failed jobs`);
    return [f];
  } finally {
    await sender.stop();
    await system.stop();
  }
}
