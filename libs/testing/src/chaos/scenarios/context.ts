import type { Figures } from "../accounting";
import { ProviderSender } from "../sender";
import { CHAOS_GITHUB_SECRET, ChaosSystem, type ChaosSystemOptions } from "../system";

/** What every scenario is given: a build of the services, how much load, and where to say what it does. */
export interface ScenarioContext {
  distDir: string;
  /** Events a second the provider sends during the steady load. */
  rate: number;
  /** Seconds of steady load around the fault (before and after it). */
  loadSeconds: number;
  /** How long a fault lasts (a service or server down), in seconds; each scenario has its default. */
  faultSeconds?: number;
  /** For the burst: how many events, and over how many seconds. */
  burst?: { events: number; seconds: number };
  /** How long to wait for the accepted events' outcomes before counting the rest as lost (default 120 s). */
  settleSeconds?: number;
  log: (message: string) => void;
}

export type Scenario = (ctx: ScenarioContext) => Promise<Figures[]>;

export const RESOURCE = "acme/chaos";

export const settleMs = (ctx: ScenarioContext) => (ctx.settleSeconds ?? 120) * 1000;

/**
 * Retry delays short enough for a run of seconds, and enough deliveries that a job outlives any fault a scenario
 * makes (1+2+4+8×9 = 79 s of retries) instead of being dead-lettered by it.
 */
export const CHAOS_ENV: Record<string, string> = {
  JOB_BACKOFF: "1s,2s,4s,8s",
  JOB_MAX_DELIVER: "14",
  ROUTER_BACKOFF: "1s,2s,4s,8s",
  ROUTER_MAX_DELIVER: "14",
  DELIVERY_TIMEOUT: "2s",
};

/** A system with the workspaces subscribed to RESOURCE, and a provider already sending `ctx.rate` events a second. */
export async function startLoad(ctx: ScenarioContext, name: string, workspaces: string[], opts: Partial<ChaosSystemOptions> = {}) {
  const system = await ChaosSystem.start({ distDir: ctx.distDir, ...opts, env: { ...CHAOS_ENV, ...opts.env } });
  for (const ws of workspaces) await system.subscribe(ws, RESOURCE);
  const sender = new ProviderSender({ ingressUrls: system.ingressUrls(), secret: CHAOS_GITHUB_SECRET, resource: RESOURCE, prefix: `${name}-${Date.now().toString(36)}` });
  if (ctx.rate > 0) sender.start(ctx.rate);
  ctx.log(`system up, sending ${ctx.rate}/s`);
  return { system, sender };
}
