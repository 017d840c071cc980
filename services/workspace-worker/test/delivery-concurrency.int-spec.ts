import { TestDestination } from "../../../test/support/destinations";
import { eventually } from "../../../test/support/eventually";
import { TestStack } from "../../../test/support/stack";
import { push, sendGithub } from "./worker.support";

const DELAY_MS = 400;
const secret = TestDestination.secret("delivery-concurrency");
const dest = new TestDestination(secret);
const stack = new TestStack();

jest.setTimeout(60_000);

beforeAll(async () => {
  await dest.start();
  await stack.start({ WORKER_CONCURRENCY: "16", WORKSPACE_CONCURRENCY: "16", DELIVERY_CONCURRENCY: "2" });
});

afterAll(async () => {
  await stack.stop();
  await dest.stop();
});

describe("DELIVERY_CONCURRENCY", () => {
  it("keeps deliveries in flight at its limit while more jobs run, and delivers each job once", async () => {
    const workspaces = Array.from({ length: 8 }, (_, i) => `dc-${i}`);
    for (const ws of workspaces) {
      dest.answer(`/${ws}`, { status: 200, delayMs: DELAY_MS });
      await stack.subscribe({ workspaceId: ws, resource: "acme/dc", destinationUrl: dest.url(`/${ws}`), destinationSecret: secret });
    }
    await sendGithub(stack, "push", "dc-1", push("acme/dc"));
    await eventually(() => workspaces.every((ws) => dest.on(`/${ws}`).length === 1), "every workspace's delivery", 20_000);
    const arrivals = workspaces.map((ws) => dest.on(`/${ws}`)[0]!.at).sort((a, b) => a - b);
    // Requests arriving within one answer's time of each other overlapped: never more than two, and two did.
    const overlapping = arrivals.map((t) => arrivals.filter((u) => u <= t && u > t - (DELAY_MS - 50)).length);
    expect(Math.max(...overlapping)).toBe(2);
    // Eight deliveries two at a time take four rounds.
    expect(arrivals.at(-1)! - arrivals[0]!).toBeGreaterThanOrEqual(3 * (DELAY_MS - 50));
  });
});
