import { account, type Figures } from "../accounting";
import { type ScenarioContext, settleMs, startLoad } from "./context";

const WORKSPACES = ["ws-a", "ws-b"].map((id) => ({ id, expect: "delivered" as const }));

/**
 * Scenario 8: a burst (default 5,000 events in 5 s) with no steady load around it. Every first answer must be
 * 202, 429 or 503 (refusals the provider retries); every accepted event must be processed.
 */
export async function burst(ctx: ScenarioContext): Promise<Figures[]> {
  const { events, seconds } = ctx.burst ?? { events: 5000, seconds: 5 };
  const { system, sender } = await startLoad({ ...ctx, rate: 0 }, "burst", WORKSPACES.map((w) => w.id));
  try {
    const start = Date.now();
    await sender.burst(events, seconds * 1000);
    const sentIn = Date.now() - start;
    await sender.stop();
    const end = Date.now();
    ctx.log(`${events} events sent in ${sentIn} ms, all answered after ${end - start} ms`);
    const f = await account(system, sender, { scenario: `8. burst of ${events} in ${seconds} s`, workspaces: WORKSPACES, faultStart: start, faultEnd: end, log: ctx.log, settleTimeoutMs: settleMs(ctx) });
    const outcomes = sender.counts().outcomes;
    const unexpected = Object.entries(outcomes).filter(([k]) => !["202", "429", "503"].includes(k));
    f.extra = { answers: Object.entries(outcomes).map(([k, v]) => `${k}×${v}`).join(" "), "sent in (s)": (sentIn / 1000).toFixed(1) };
    if (unexpected.length > 0) f.violations.push(`answers other than 202/429/503: ${unexpected.map(([k, v]) => `${k}×${v}`).join(" ")}`);
    return [f];
  } finally {
    await sender.stop();
    await system.stop();
  }
}
