import { account, type Figures, waitForOutcomes } from "../accounting";
import { PROCESS_SERVICES } from "../services";
import { sleep } from "../wait";
import { type ScenarioContext, startLoad } from "./context";

const WORKSPACES = ["ws-a", "ws-b"].map((id) => ({ id, expect: "delivered" as const }));

/**
 * Scenario 1: under a steady load, `kill -9` each service in turn (ingress, router, worker, DLQ manager), leave
 * it down for the fault time, start it again, and wait until everything sent so far is processed before the
 * next one. One row per service, over the events first sent while it was down.
 */
export async function killEachService(ctx: ScenarioContext): Promise<Figures[]> {
  const { system, sender } = await startLoad(ctx, "kill", WORKSPACES.map((w) => w.id));
  try {
    const rows: Figures[] = [];
    for (const service of PROCESS_SERVICES) {
      await sleep((ctx.loadSeconds * 1000) / PROCESS_SERVICES.length);
      const start = Date.now();
      await system.services.kill(service);
      ctx.log(`killed ${service}`);
      await sleep((ctx.faultSeconds ?? 5) * 1000);
      await system.services.start(service);
      const end = Date.now();
      ctx.log(`${service} ready again after ${end - start} ms`);
      await waitForOutcomes(system, sender, WORKSPACES, end);
      rows.push(await account(system, sender, { scenario: `1. kill -9 ${service}`, workspaces: WORKSPACES, faultStart: start, faultEnd: end, events: (e) => e.firstAt >= start && e.firstAt < end, quietMs: 0, log: ctx.log }));
    }
    await sender.stop();
    const whole = await account(system, sender, { scenario: "1. (whole run)", workspaces: WORKSPACES, log: ctx.log });
    // Events sent between the faults count too: the rows above cover only their windows.
    return [...rows, whole];
  } finally {
    await sender.stop();
    await system.stop();
  }
}
