import { account, type Figures } from "../accounting";
import { startPrivatePostgres } from "../postgres";
import { sleep } from "../wait";
import { type ScenarioContext, settleMs, startLoad } from "./context";

const WORKSPACES = ["ws-a", "ws-b"].map((id) => ({ id, expect: "delivered" as const }));

/**
 * Scenario 3: PostgreSQL unavailable for the fault time (default 30 s): a private server, stopped at once
 * (`pg_ctl -m immediate`) and started again. Ingress keeps accepting (it needs only NATS); routing and jobs wait.
 */
export async function postgresOutage(ctx: ScenarioContext): Promise<Figures[]> {
  const pg = await startPrivatePostgres();
  try {
    const { system, sender } = await startLoad(ctx, "pg", WORKSPACES.map((w) => w.id), { postgresAdminUrl: pg.url });
    try {
      await sleep((ctx.loadSeconds * 1000) / 2);
      const start = Date.now();
      await pg.stop();
      ctx.log("PostgreSQL stopped");
      await sleep((ctx.faultSeconds ?? 30) * 1000);
      await pg.start();
      const end = Date.now();
      ctx.log("PostgreSQL started again");
      await sleep((ctx.loadSeconds * 1000) / 2);
      await sender.stop();
      return [await account(system, sender, { scenario: `3. PostgreSQL down ${Math.round((end - start) / 1000)} s`, workspaces: WORKSPACES, faultStart: start, faultEnd: end, log: ctx.log, settleTimeoutMs: settleMs(ctx) })];
    } finally {
      await sender.stop();
      await system.stop();
    }
  } finally {
    await pg.destroy();
  }
}
