import { STREAMS } from "@hookstream/contracts";
import { account, type Figures } from "../accounting";
import { sleep, waitUntil } from "../wait";
import { type ScenarioContext, settleMs, startLoad } from "./context";

const WORKSPACES = ["ws-a"].map((id) => ({ id, expect: "delivered" as const }));
/** What one event takes on WEBHOOKS (payload, envelope, headers), roughly: to size a stream the load fills. */
const EVENT_BYTES = 700;

/**
 * Scenario 6: WEBHOOKS reaches its `max_bytes` (discard new). Ingress must answer 503 (never 202) while it is full,
 * and accept again once space returns (max_bytes raised, as an operator would); the provider's retries of the
 * refused events then land, and nothing accepted is lost.
 */
export async function streamFull(ctx: ScenarioContext): Promise<Figures[]> {
  // Full about halfway through the load.
  const maxBytes = Math.max(16 * 1024, Math.round((ctx.rate * ctx.loadSeconds * EVENT_BYTES) / 2));
  const { system, sender } = await startLoad(ctx, "full", WORKSPACES.map((w) => w.id), { env: { WEBHOOKS_MAX_BYTES: String(maxBytes), PUBLISH_TIMEOUT: "2s", RETRY_AFTER_S: "1" } });
  try {
    await waitUntil(() => (sender.counts().outcomes["503"] ?? 0) > 0, "ingress to refuse with 503", 120_000, 100);
    const start = Date.now();
    const acceptedWhenFull = sender.accepted().length;
    ctx.log(`stream full after ${acceptedWhenFull} events`);
    await sleep((ctx.faultSeconds ?? 5) * 1000);
    const info = await system.jsm.streams.info(STREAMS.webhooks);
    // Only 503s while full: a 202 here would be an event the stream had no room for.
    const acceptedWhileFull = sender.accepted().length - acceptedWhenFull;
    await system.jsm.streams.update(STREAMS.webhooks, { ...info.config, max_bytes: -1 });
    const end = Date.now();
    ctx.log("max_bytes lifted");
    await sleep((ctx.loadSeconds * 1000) / 2);
    await sender.stop();
    const f = await account(system, sender, { scenario: "6. WEBHOOKS full (max_bytes, discard new)", workspaces: WORKSPACES, faultStart: start, faultEnd: end, log: ctx.log, settleTimeoutMs: settleMs(ctx) });
    const outcomes = sender.counts().outcomes;
    f.extra = { "503": outcomes["503"] ?? 0, "202 while full": acceptedWhileFull, "other answers": Object.entries(outcomes).filter(([k]) => k !== "202" && k !== "503").map(([k, v]) => `${k}×${v}`).join(" ") || "none" };
    if (acceptedWhileFull > 0) f.violations.push(`${acceptedWhileFull} events accepted while the stream was full`);
    return [f];
  } finally {
    await sender.stop();
    await system.stop();
  }
}
