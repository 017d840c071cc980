import { randomUUID } from "node:crypto";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { entryWhen } from "../../services/dlq-manager/test/dlq.support";
import { launchChromium, pageProblems, screenshots } from "../support/browser";
import { TestDestination } from "../support/destinations";
import { eventually } from "../support/eventually";
import { buildServices, ServiceProcesses } from "../support/processes";
import { ADMIN_TOKEN, READ_TOKEN, TestStack } from "../support/stack";

/**
 * The web console in Chromium against the running system: the four services as real processes built by
 * scripts/build.mjs (console included), real NATS and PostgreSQL, and a local destination. An operator finds a
 * dead-lettered event by its id, replays it once its destination healed, and watches it become reprocessed.
 */
const TRACE_URL_TEMPLATE = "https://grafana.example/explore?left=%7B%22queries%22:%5B%7B%22query%22:%22{traceId}%22%7D%5D%7D";
const stack = new TestStack();
const secret = TestDestination.secret("console-e2e");
const dest = new TestDestination(secret);
const shot = screenshots("console");
let build: ReturnType<typeof buildServices>;
let services: ServiceProcesses;
let browser: Browser;

const order = (n: number, repo = "acme/shop") => ({ action: "opened", issue: { number: n, title: `Order ${n}` }, repository: { id: 9, full_name: repo } });

async function send(delivery: string, n: number, repo?: string): Promise<void> {
  const res = await stack.sendGithub({ event: "issues", delivery, body: order(n, repo) });
  if (res.status !== 202) throw new Error(`webhook ${delivery} answered ${res.status}`);
}

async function signIn(page: Page, token: string): Promise<void> {
  await page.goto(stack.url("dlq", "/console"));
  // By keyboard: Enter in the token field submits.
  const field = page.getByLabel("Admin token");
  await field.fill(token);
  await field.press("Enter");
  await page.getByRole("navigation", { name: "Console" }).waitFor({ timeout: 10_000 }).catch(async (e: Error) => {
    throw new Error(`${e.message}\n${await page.content()}`);
  });
}

beforeAll(async () => {
  build = buildServices();
  await dest.start();
  // Two deliveries per job; a host's breaker opens after three failures, so only the unreachable host's opens.
  await stack.start({ JOB_BACKOFF: "500ms", JOB_MAX_DELIVER: "2", BREAKER_FAILURES: "3", BREAKER_OPEN_FOR: "10m", BREAKER_MAX_OPEN: "10m" }, []);
  services = new ServiceProcesses(
    build.dir,
    { ...stack.env, TRACE_URL_TEMPLATE },
    { ingress: stack.ports.ingress, router: stack.ports.router, "workspace-worker": stack.ports.worker, "dlq-manager": stack.ports.dlq },
  );
  await Promise.all((["ingress", "router", "workspace-worker", "dlq-manager"] as const).map((s) => services.start(s)));
  browser = await launchChromium();
  await stack.subscribe({ workspaceId: "ws-orders", resource: "acme/shop", destinationUrl: dest.url("/orders"), destinationSecret: secret });
  await stack.subscribe({ workspaceId: "ws-archive", resource: "acme/shop", destinationUrl: dest.url("/archive"), destinationSecret: secret });
  await stack.subscribe({ workspaceId: "ws-gone", resource: "acme/shop", destinationUrl: "http://127.0.0.1:1/gone", destinationSecret: secret });
  await stack.subscribe({ workspaceId: "ws-gone", resource: "acme/legacy", destinationUrl: "http://127.0.0.1:1/gone", destinationSecret: secret });
});

afterAll(async () => {
  await browser?.close();
  await services?.stopAll();
  await stack.stop();
  await dest.stop();
  build?.remove();
});

describe("web console with the admin token", () => {
  let context: BrowserContext;
  let page: Page;
  let problems: string[];
  beforeAll(async () => {
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
    problems = pageProblems(page);
  });
  afterAll(() => context?.close());

  it("finds a dead-lettered event by its id, replays it once its destination healed, and it is delivered exactly once", async () => {
    const eventId = `evt-${randomUUID()}`;
    dest.answer("/orders", 503);
    // One event for the destination: its two failed deliveries stay under the threshold of its host's breaker. The
    // unreachable host gets two events, so four failures: its breaker opens.
    await send(eventId, 2);
    await send(`evt-${randomUUID()}`, 3, "acme/legacy");
    const entryId = await eventually(async () => {
      const res = await stack.admin("dlq", "GET", "/admin/dlq?workspaceId=ws-orders&status=pending");
      return ((await res.json()) as { items: { id: string; eventId: string }[] }).items.find((e) => e.eventId === eventId)?.id;
    }, "the event dead-lettered for ws-orders");
    dest.answer("/orders", 200);

    await signIn(page, ADMIN_TOKEN);
    expect(await page.getByText("read-only", { exact: true }).count()).toBe(0);
    // The overview counts the dead letter and the unreachable host's open breaker.
    await eventually(async () => (await page.getByRole("cell", { name: "127.0.0.1:1" }).count()) > 0, "the open breaker on the overview", 40_000);
    await shot(page, "overview");

    await page.getByRole("link", { name: "Events" }).click();
    await page.getByLabel("Event id").fill(eventId);
    await page.getByRole("button", { name: "Search" }).click();
    await page.getByRole("table", { name: "Events, newest first" }).waitFor();
    await shot(page, "events");
    await page.getByRole("link", { name: eventId }).click();
    await page.getByRole("heading", { name: `Event ${eventId}` }).waitFor();
    const trace = page.getByRole("link", { name: /^Open trace [0-9a-f]{32}$/ });
    await trace.waitFor();
    const traceId = (await trace.textContent())!.replace("Open trace ", "");
    expect(await trace.getAttribute("href")).toBe(TRACE_URL_TEMPLATE.replace("{traceId}", traceId));
    await page.getByRole("cell", { name: "ws-archive" }).waitFor();
    expect(await page.getByText("sha256=").count()).toBe(0);
    await shot(page, "event");
    // Back returns to the search and its results.
    await page.goBack();
    await page.getByRole("link", { name: eventId }).click();
    await page.getByRole("heading", { name: `Event ${eventId}` }).waitFor();

    const deliveredBefore = dest.on("/orders").length;
    await page.getByRole("link", { name: "Dead letter of ws-orders" }).click();
    await page.getByRole("heading", { name: `Dead letter of ${eventId}` }).waitFor();
    await shot(page, "dead-letter-before-replay");
    await page.getByRole("button", { name: "Replay", exact: true }).click();
    await page.locator(".badge", { hasText: "reprocessed" }).first().waitFor({ timeout: 30_000 });
    await shot(page, "dead-letter-reprocessed");

    await entryWhen(stack, entryId, (e) => e.status === "reprocessed", "the entry reprocessed");
    const deliveries = dest.on("/orders").slice(deliveredBefore);
    expect(deliveries).toHaveLength(1);
    expect(deliveries[0]).toMatchObject({ validSignature: true });
    expect(JSON.parse(deliveries[0]!.body)).toMatchObject({ issue: { number: 2 } });

    await page.getByRole("link", { name: "Dead letters", exact: true }).click();
    await page.getByRole("heading", { name: "Audit log" }).waitFor();
    await page.getByRole("cell", { name: "replay", exact: true }).first().waitFor();
    await shot(page, "dead-letters");
  });

  it("bulk-replays by filter after a dry-run count, with live progress, and discards the selected entries with a note", async () => {
    await page.getByRole("link", { name: "Dead letters", exact: true }).click();
    // Bulk replay by filter: a dry run counts first, then progress shows live until done.
    await page.getByLabel("Workspace", { exact: true }).fill("ws-gone");
    await page.getByRole("button", { name: "Filter" }).click();
    await page.getByRole("button", { name: "Count matching dead letters" }).click();
    await page.getByText("2 dead letters would be replayed.").waitFor();
    await page.getByRole("button", { name: "Replay 2" }).click();
    await page.getByText("Replay done: 2 of 2").waitFor({ timeout: 30_000 });
    await page.getByRole("cell", { name: "bulk replay" }).first().waitFor();
    await shot(page, "dead-letters-bulk-replay");

    // Select, then discard with a note (the unreachable host is gone for good).
    await page.getByRole("checkbox", { name: "Select every dead letter shown" }).check();
    await page.getByRole("button", { name: "Discard selected…" }).click();
    await page.getByLabel("Note (kept in the audit log)").fill("host decommissioned");
    await page.getByRole("dialog").getByRole("button", { name: "Discard" }).click();
    await page.getByText("Discard: 2 of 2 accepted.").waitFor();
    await page.getByRole("cell", { name: /host decommissioned/ }).first().waitFor();
  });

  it("adds a subscription with a secret shown once, rotates the secret, and removes it", async () => {
    // Subscriptions: a generated secret is shown once, then only masked; rotating shows the new one once.
    // One handler, also when jest retries the test on the same page.
    page.removeAllListeners("dialog").on("dialog", (d) => void d.accept());
    await page.getByRole("link", { name: "Subscriptions" }).click();
    await page.getByRole("heading", { name: "Subscriptions" }).waitFor();
    await page.getByLabel("Workspace", { exact: true }).fill("ws-new");
    await page.getByLabel("Resource", { exact: true }).fill("acme/new");
    await page.getByLabel("Destination URL", { exact: true }).fill(dest.url("/new"));
    await page.getByRole("button", { name: "Add", exact: true }).click();
    const shown = page.getByRole("alert").locator("code");
    const created = (await shown.textContent())!;
    expect(created).toMatch(/^whsec_[A-Za-z0-9+/=]{40,}$/);
    await page.getByRole("button", { name: "I have saved it" }).click();
    const row = page.getByRole("row", { name: /ws-new/ });
    await row.getByText(`whsec_…${created.slice(-4)}`).waitFor();
    expect(await page.getByText(created).count()).toBe(0);
    await row.getByRole("button", { name: /^Rotate the secret/ }).click();
    const rotated = (await shown.textContent())!;
    expect(rotated).toMatch(/^whsec_/);
    expect(rotated).not.toBe(created);
    await page.getByRole("button", { name: "I have saved it" }).click();
    await row.getByText(`whsec_…${rotated.slice(-4)}`).waitFor();
    await shot(page, "subscriptions");
    await row.getByRole("button", { name: /^Remove the subscription/ }).click();
    await page.getByText("Removed the subscription of ws-new.").waitFor();
    // The list reloads after the message: wait for the row to go rather than count at once.
    await page.getByRole("row", { name: /ws-new/ }).waitFor({ state: "detached" });
  });

  it("fits a phone's width on every page, and no page broke its Content-Security-Policy", async () => {
    const [eventLink] = await page.goto(stack.url("dlq", "/console/events")).then(async () => {
      await page.getByRole("button", { name: "Search" }).click();
      return page.getByRole("table", { name: "Events, newest first" }).getByRole("link").evaluateAll((links) => links.map((a) => a.getAttribute("href")!));
    });
    // Phone width: every page fits without scrolling sideways (wide tables scroll inside their own box).
    await page.setViewportSize({ width: 390, height: 844 });
    for (const [path, name] of [["/console", "overview"], ["/console/dead-letters", "dead-letters"], [eventLink!, "event"], ["/console/subscriptions", "subscriptions"]] as const) {
      await page.goto(stack.url("dlq", path));
      await page.locator("main h1").waitFor();
      await page.waitForLoadState("networkidle");
      expect(await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")).toBe(true);
      await shot(page, `phone-${name}`);
    }
    expect(problems).toEqual([]);
  });
});

describe("web console with the read-only token", () => {
  it("shows no action anywhere", async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await signIn(page, READ_TOKEN);
    await page.getByText("read-only", { exact: true }).waitFor();
    await page.getByRole("link", { name: "Dead letters", exact: true }).click();
    await page.getByRole("heading", { name: "Audit log" }).waitFor();
    await page.getByRole("table", { name: "Dead letters, newest first" }).getByRole("row").nth(1).waitFor();
    expect(await page.getByRole("button").allTextContents()).toEqual(["Sign out", "Filter"]);
    expect(await page.getByRole("checkbox").count()).toBe(0);
    await shot(page, "read-only-dead-letters");

    await page.getByRole("table", { name: "Dead letters, newest first" }).getByRole("link").first().click();
    await page.getByRole("heading", { name: /^Dead letter of / }).waitFor();
    expect(await page.getByRole("button").allTextContents()).toEqual(["Sign out"]);
    await context.close();
  });
});
