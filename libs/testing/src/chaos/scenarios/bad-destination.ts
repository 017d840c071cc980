import { account, type Figures } from "../accounting";
import type { Answer, TestDestination } from "../../destination";
import { sleep } from "../wait";
import { RESOURCE, type ScenarioContext, settleMs, startLoad } from "./context";

// A job for a misbehaving destination may run out of deliveries (behind its open circuit breaker): then its DLQ
// entry is its outcome, counted apart. The healthy destination must get everything.
const WORKSPACES = [
  ...["ws-flap", "ws-hang", "ws-429"].map((id) => ({ id, expect: "delivered-or-dead-lettered" as const })),
  { id: "ws-ok", expect: "delivered" as const },
];

/**
 * Scenario 4: destinations that misbehave for the whole load: one flaps (down then up, 0.5 to 3.5 s each), one hangs
 * past the worker's 2 s timeout on every fourth request (then answers 200, so the retry is a duplicate delivery),
 * one answers every third request with 429 and `Retry-After: 1`; a healthy one beside them. Each is a host of its
 * own, as separate customers' are: the worker's circuit breaker is per host.
 */
export async function badDestinations(ctx: ScenarioContext): Promise<Figures[]> {
  // Breakers that reopen for 1 s doubling up to 8 s (5 s up to 5 min by default): on the time scale of a run, as
  // CHAOS_ENV does for the retry schedules.
  const { system, sender } = await startLoad({ ...ctx, rate: 0 }, "dest", [], { env: { BREAKER_OPEN_FOR: "1s", BREAKER_MAX_OPEN: "8s" } });
  const t0 = Date.now();
  const flapping = flap(t0);
  const answers: Record<string, (n: number) => Answer> = {
    "/ws-flap": () => (flapping() ? 503 : 200),
    "/ws-hang": (n) => (n % 4 === 0 ? { status: 200, delayMs: 3000 } : 200),
    "/ws-429": (n) => (n % 3 === 0 ? { status: 429, headers: { "retry-after": "1" } } : 200),
  };
  const hosts = new Map<string, TestDestination>();
  try {
    for (const { id } of WORKSPACES) {
      const host = await system.newDestination();
      hosts.set(`/${id}`, host);
      await system.subscribe(id, RESOURCE, answers[`/${id}`], host);
    }
    sender.start(ctx.rate);
    await sleep(ctx.loadSeconds * 1000);
    const end = Date.now();
    await sender.stop();
    // The destinations keep misbehaving while the backlog drains: recovery is how long that takes.
    const f = await account(system, sender, { scenario: "4. destinations flap, hang, answer 429", workspaces: WORKSPACES, faultStart: t0, faultEnd: end, log: ctx.log, settleTimeoutMs: settleMs(ctx) });
    const on = (path: string) => hosts.get(path)!.on(path);
    const answered = (path: string, status: number) => on(path).filter((d) => d.status === status).length;
    const [dlq] = await system.db.query<{ n: string }>("SELECT count(*) AS n FROM dead_letter_queue");
    f.extra = { "503 (flap)": answered("/ws-flap", 503), hangs: Math.floor(on("/ws-hang").length / 4), "429": answered("/ws-429", 429), "dead-lettered": Number(dlq!.n) };
    return [f];
  } finally {
    await sender.stop();
    await system.stop();
  }
}

/**
 * Down and up in turn, each phase 0.5 to 3.5 s long (a fixed pseudo-random sequence). Irregular on purpose: a
 * strictly periodic flap would meet the circuit breaker's doubling open times (5 s, 10 s, 20 s…) in the same phase
 * every time, and the run would measure that coincidence rather than the system.
 */
function flap(t0: number): () => boolean {
  let seed = 9;
  const phases: number[] = [];
  let end = 0;
  return () => {
    const t = Date.now() - t0;
    while (end <= t) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      end += 500 + (seed % 3000);
      phases.push(end);
    }
    return phases.findIndex((e) => t < e) % 2 === 0;
  };
}
