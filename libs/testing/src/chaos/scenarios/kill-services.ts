import { account, type Figures, waitForOutcomes } from "../accounting";
import { PROCESS_SERVICES, type ProcessService } from "../services";
import { sleep } from "../wait";
import { type ScenarioContext, settleMs, startLoad } from "./context";

const WORKSPACES = ["ws-a", "ws-b"].map((id) => ({ id, expect: "delivered" as const }));

/**
 * Scenario 1: under a steady load, `kill -9` each service in turn (ingress, router, worker, DLQ manager), leave
 * it down for the fault time, start it again, and let the backlog drain before the next one. One row per service,
 * over the events first sent while it was down, counted once the whole run has settled; and the whole run.
 */
export async function killEachService(ctx: ScenarioContext): Promise<Figures[]> {
  const { system, sender } = await startLoad(ctx, "kill", WORKSPACES.map((w) => w.id));
  try {
    const faults: { service: ProcessService; start: number; end: number }[] = [];
    for (const service of PROCESS_SERVICES) {
      await sleep((ctx.loadSeconds * 1000) / PROCESS_SERVICES.length);
      const start = Date.now();
      await system.services.kill(service);
      ctx.log(`killed ${service}`);
      await sleep((ctx.faultSeconds ?? 5) * 1000);
      await system.services.start(service);
      const end = Date.now();
      ctx.log(`${service} ready again after ${end - start} ms`);
      faults.push({ service, start, end });
      await waitForOutcomes(system, sender, WORKSPACES, end, settleMs(ctx));
    }
    await sender.stop();
    const whole = await account(system, sender, { scenario: "1. (whole run)", workspaces: WORKSPACES, log: ctx.log, settleTimeoutMs: settleMs(ctx) });
    const rows: Figures[] = [];
    for (const f of faults) {
      const window = { faultStart: f.start, faultEnd: f.end, events: (e: { firstAt: number }) => e.firstAt >= f.start && e.firstAt < f.end };
      rows.push(await account(system, sender, { scenario: `1. kill -9 ${f.service}`, workspaces: WORKSPACES, ...window, settleTimeoutMs: 0, quietMs: 0, log: ctx.log }));
    }
    return [...rows, whole];
  } finally {
    await sender.stop();
    await system.stop();
  }
}
