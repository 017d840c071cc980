import { account, type Figures } from "../accounting";
import { sleep } from "../wait";
import { type ScenarioContext, settleMs, startLoad } from "./context";

const WORKSPACES = ["ws-a", "ws-b"].map((id) => ({ id, expect: "delivered" as const }));

/** Scenario 2: `kill -9` of nats-server in the middle of the load, restarted on the same store after the fault time. */
export async function killNats(ctx: ScenarioContext): Promise<Figures[]> {
  const { system, sender } = await startLoad(ctx, "nats", WORKSPACES.map((w) => w.id));
  try {
    await sleep((ctx.loadSeconds * 1000) / 2);
    const start = Date.now();
    await system.nats!.kill();
    ctx.log("killed nats-server");
    await sleep((ctx.faultSeconds ?? 5) * 1000);
    await system.nats!.start();
    const end = Date.now();
    ctx.log("nats-server restarted on its store");
    await sleep((ctx.loadSeconds * 1000) / 2);
    await sender.stop();
    return [await account(system, sender, { scenario: "2. kill -9 nats-server, restart on its store", workspaces: WORKSPACES, faultStart: start, faultEnd: end, log: ctx.log, settleTimeoutMs: settleMs(ctx) })];
  } finally {
    await sender.stop();
    await system.stop();
  }
}
