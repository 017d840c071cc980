import { randomUUID } from "node:crypto";
import { STREAMS } from "@hookstream/contracts";
import { kidOf, Keyring } from "@hookstream/secrets";
import { loadRotateKeyConfig, rotateKey } from "@hookstream/subscriptions";
import { testEncryptionKey } from "@hookstream/testing";
import { TestDestination, verifyStandardSignature } from "../support/destinations";
import { eventually } from "../support/eventually";
import { READ_TOKEN, type ServiceName, TestStack } from "../support/stack";
import { loadDlqConfig } from "../../services/dlq-manager/src/config";
import { loadRouterConfig } from "../../services/router/src/config";
import { loadWorkerConfig } from "../../services/workspace-worker/src/config";

/**
 * Destination secrets at rest: encrypted on write (and at start-up for rows stored in clear), masked wherever
 * shown, decrypted only to sign a delivery; the admin API on the DLQ manager's origin; key rotation.
 */
const stack = new TestStack();
const SERVICES: ServiceName[] = ["ingress", "router", "worker", "dlq"];
const LEGACY_SECRET = TestDestination.secret("legacy-plaintext-secret");
const GIVEN_SECRET = TestDestination.secret("given-destination-secret");

/** One destination per workspace, each verifying with its own subscription's secret. */
const destinations = new Map<string, TestDestination>();
/** Every secret handed out in clear during the test: none may be found stored anywhere. */
const secretsSeen = new Set<string>([LEGACY_SECRET, GIVEN_SECRET]);

type SubscriptionView = { id: string; workspaceId: string; destinationUrl: string | null; destinationSecret: string | null };

async function destination(workspaceId: string, secret = "whsec_pending"): Promise<TestDestination> {
  const known = destinations.get(workspaceId);
  if (known) return known;
  const d = new TestDestination(secret);
  await d.start();
  destinations.set(workspaceId, d);
  return d;
}

async function create(service: ServiceName, workspaceId: string, secret?: string, resource = "acme/vault"): Promise<SubscriptionView> {
  const dest = await destination(workspaceId, secret);
  const res = await stack.admin(service, "POST", "/admin/subscriptions", { workspaceId, source: "github", resource, destinationUrl: dest.url(`/${workspaceId}`), destinationSecret: secret });
  expect(res.status).toBe(201);
  const view = (await res.json()) as SubscriptionView;
  // A generated secret is in this answer only.
  const clear = secret ?? view.destinationSecret!;
  secretsSeen.add(clear);
  dest.useSecret(clear);
  return view;
}

async function list(service: ServiceName): Promise<SubscriptionView[]> {
  const res = await stack.admin(service, "GET", "/admin/subscriptions", undefined, READ_TOKEN);
  expect(res.status).toBe(200);
  return ((await res.json()) as { items: SubscriptionView[] }).items;
}

let sent = 0;
/**
 * Sends `acme/vault` pushes until every workspace's destination has received one more delivery than before. A
 * subscription made on the DLQ manager reaches the router's index through SUBSCRIPTIONS a moment later, so a
 * push may be routed before it: the next one is not.
 */
async function deliverToAll(workspaces: string[]): Promise<void> {
  const before = new Map(workspaces.map((w) => [w, destinations.get(w)!.on(`/${w}`).length]));
  await eventually(async () => {
    const res = await stack.sendGithub({ event: "push", delivery: `vault-${++sent}-${randomUUID()}`, body: { ref: "refs/heads/main", after: `c${sent}`, repository: { id: 5, full_name: "acme/vault" } } });
    expect(res.status).toBe(202);
    return eventually(() => workspaces.every((w) => destinations.get(w)!.on(`/${w}`).length > before.get(w)!), "a delivery to every workspace", 2_000);
  }, `a delivery to ${workspaces.join(", ")}`, 30_000);
}

const lastDelivery = (workspaceId: string) => destinations.get(workspaceId)!.on(`/${workspaceId}`).at(-1)!;

async function storedSecrets(): Promise<{ id: string; workspace_id: string; destination_secret: string | null; destination_secret_hint: string | null }[]> {
  return stack.db.query("SELECT id, workspace_id, destination_secret, destination_secret_hint FROM subscriptions ORDER BY workspace_id");
}

async function restart(services: ServiceName[], env: Record<string, string | undefined>): Promise<void> {
  for (const s of services) await stack.stopService(s);
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete stack.env[k];
    else stack.env[k] = v;
  }
  for (const s of services) await stack.startService(s);
}

beforeAll(async () => {
  await stack.start({}, []);
  // A subscription stored in clear before encryption existed.
  const legacy = await destination("ws-legacy", LEGACY_SECRET);
  await stack.db.query("INSERT INTO subscriptions (workspace_id, source, resource, destination_url, destination_secret) VALUES ($1, 'github', 'acme/vault', $2, $3)", [
    "ws-legacy",
    legacy.url("/ws-legacy"),
    LEGACY_SECRET,
  ]);
  for (const s of SERVICES) await stack.startService(s);
});

afterAll(async () => {
  await stack.stop();
  for (const d of destinations.values()) await d.stop();
});

describe("destination secrets at rest", () => {
  it("encrypts a secret stored in clear at start-up, and the worker still signs with it", async () => {
    const [row] = await storedSecrets();
    expect(row!.destination_secret).toMatch(/^enc:v1:[0-9a-f]{16}:/);
    expect(kidOf(row!.destination_secret!)).toBe(new Keyring(stack.env.HOOKSTREAM_ENCRYPTION_KEY!).current.kid);
    expect(row!.destination_secret_hint).toBe(`whsec_…${LEGACY_SECRET.slice(-4)}`);
    // Idempotent: a second start leaves it as it is.
    await restart(["router"], {});
    expect((await storedSecrets())[0]!.destination_secret).toBe(row!.destination_secret);
    await deliverToAll(["ws-legacy"]);
    expect(lastDelivery("ws-legacy").validSignature).toBe(true);
  });

  it("serves the subscriptions API on the DLQ manager too: a generated secret is shown once, then masked everywhere", async () => {
    const made = await create("dlq", "ws-console");
    expect(made.destinationSecret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const given = await create("router", "ws-given", GIVEN_SECRET);
    expect(given.destinationSecret).toBe(`whsec_…${GIVEN_SECRET.slice(-4)}`);
    for (const service of ["router", "dlq"] as const) {
      const items = await list(service);
      expect(items.find((s) => s.id === made.id)!.destinationSecret).toBe(`whsec_…${made.destinationSecret!.slice(-4)}`);
      expect(JSON.stringify(items)).not.toContain(made.destinationSecret!.slice(6, -4));
    }
    await deliverToAll(["ws-console", "ws-given"]);
    expect(lastDelivery("ws-console").validSignature).toBe(true);
    expect(lastDelivery("ws-given").validSignature).toBe(true);
  });

  it("rotates a destination secret: the new one is shown once, signs the next delivery, and is masked afterwards", async () => {
    const [before] = (await list("dlq")).filter((s) => s.workspaceId === "ws-console");
    const oldSecret = destinations.get("ws-console")!;
    expect((await stack.admin("dlq", "POST", `/admin/subscriptions/${before!.id}/rotate-secret`, undefined, READ_TOKEN)).status).toBe(403);
    expect((await stack.admin("dlq", "POST", `/admin/subscriptions/${randomUUID()}/rotate-secret`)).status).toBe(404);

    const res = await stack.admin("dlq", "POST", `/admin/subscriptions/${before!.id}/rotate-secret`);
    expect(res.status).toBe(200);
    const rotated = (await res.json()) as SubscriptionView;
    expect(rotated).toMatchObject({ id: before!.id, workspaceId: "ws-console", destinationUrl: before!.destinationUrl });
    expect(rotated.destinationSecret).toMatch(/^whsec_/);
    const previous = [...secretsSeen].find((s) => s.endsWith(before!.destinationSecret!.slice(-4)))!;
    expect(rotated.destinationSecret).not.toBe(previous);
    secretsSeen.add(rotated.destinationSecret!);

    for (const service of ["router", "dlq"] as const) {
      expect((await list(service)).find((s) => s.id === before!.id)!.destinationSecret).toBe(`whsec_…${rotated.destinationSecret!.slice(-4)}`);
    }
    oldSecret.useSecret(rotated.destinationSecret!);
    await deliverToAll(["ws-console"]);
    const delivery = lastDelivery("ws-console");
    expect(delivery.validSignature).toBe(true);
    expect(verifyStandardSignature(previous, delivery.headers, delivery.body)).toBe(false);
    // Also on the router's port, the same controller.
    const again = await stack.admin("router", "POST", `/admin/subscriptions/${before!.id}/rotate-secret`);
    expect(again.status).toBe(200);
    const third = ((await again.json()) as SubscriptionView).destinationSecret!;
    secretsSeen.add(third);
    oldSecret.useSecret(third);
    await deliverToAll(["ws-console"]);
    expect(lastDelivery("ws-console").validSignature).toBe(true);
  });

  it("leaves no destination secret in clear anywhere in the database, nor on SUBSCRIPTIONS", async () => {
    // A dead letter too: its entry records the failed delivery's headers.
    const refused = await create("dlq", "ws-refuses", undefined, "acme/refused");
    destinations.get("ws-refuses")!.answer("/ws-refuses", 400);
    await eventually(async () => {
      await stack.sendGithub({ event: "push", delivery: `refused-${randomUUID()}`, body: { ref: "refs/heads/main", repository: { id: 6, full_name: "acme/refused" } } });
      return eventually(async () => (await stack.db.query("SELECT 1 FROM dead_letter_queue WHERE workspace_id = 'ws-refuses'")).length > 0, "a dead letter", 3_000);
    }, "a dead letter for ws-refuses");
    expect(destinations.get("ws-refuses")!.on("/ws-refuses").at(-1)!.validSignature).toBe(true);
    expect((await stack.admin("dlq", "DELETE", `/admin/subscriptions/${refused.id}`)).status).toBe(204);
    expect((await list("router")).some((s) => s.id === refused.id)).toBe(false);

    const columns: { table_schema: string; table_name: string; column_name: string; data_type: string }[] = await stack.db.query(
      `SELECT c.table_schema, c.table_name, c.column_name, c.data_type FROM information_schema.columns c
         JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE'
        WHERE c.table_schema NOT IN ('pg_catalog', 'information_schema')
          AND c.data_type IN ('text', 'character varying', 'character', 'json', 'jsonb', 'bytea', 'ARRAY', 'USER-DEFINED')`,
    );
    expect(columns.map((c) => `${c.table_name}.${c.column_name}`)).toEqual(expect.arrayContaining(["subscriptions.destination_secret", "dead_letter_queue.headers"]));
    /** Every column holding `needle` somewhere in its text (bytea: its bytes). */
    const columnsContaining = async (needle: string): Promise<string[]> => {
      const found: string[] = [];
      for (const c of columns) {
        const where = c.data_type === "bytea" ? `position(convert_to($1, 'UTF8') in "${c.column_name}") > 0` : `strpos("${c.column_name}"::text, $1) > 0`;
        const [{ n }] = (await stack.db.query(`SELECT count(*)::int AS n FROM "${c.table_schema}"."${c.table_name}" WHERE ${where}`, [needle])) as [{ n: number }];
        if (n > 0) found.push(`${c.table_name}.${c.column_name}`);
      }
      return found;
    };
    // The scan finds what is there: the dead-lettered workspace is in its entry.
    expect(await columnsContaining("ws-refuses")).toContain("dead_letter_queue.workspace_id");
    const needles = [...secretsSeen].flatMap((s) => [s, s.replace(/^whsec_/, "")]);
    expect(needles.length).toBeGreaterThanOrEqual(10);
    for (const needle of needles) expect({ needle, columns: await columnsContaining(needle) }).toEqual({ needle, columns: [] });

    const { state } = await stack.jsm.streams.info(STREAMS.subscriptions);
    expect(state.messages).toBeGreaterThan(0);
    for (let seq = state.first_seq; seq <= state.last_seq; seq++) {
      const text = (await stack.jsm.streams.getMessage(STREAMS.subscriptions, { seq }))!.string();
      for (const needle of needles) expect(text).not.toContain(needle);
    }
  });

  it("rotates the encryption key: every subscription stays deliverable before, during and after", async () => {
    const oldKey = stack.env.HOOKSTREAM_ENCRYPTION_KEY!;
    const newKey = testEncryptionKey();
    const [oldKid, newKid] = [new Keyring(oldKey).current.kid, new Keyring(newKey).current.kid];
    const workspaces = (await storedSecrets()).map((r) => r.workspace_id);
    expect(workspaces).toHaveLength(3);
    expect((await storedSecrets()).map((r) => kidOf(r.destination_secret!))).toEqual([oldKid, oldKid, oldKid]);

    // 1. Services restart with the new key, the old one as previous: old rows still decrypt, new ones use the new key.
    await restart(["router", "worker", "dlq"], { HOOKSTREAM_ENCRYPTION_KEY: newKey, HOOKSTREAM_ENCRYPTION_KEY_PREVIOUS: oldKey });
    await deliverToAll(workspaces);
    for (const w of workspaces) expect(lastDelivery(w).validSignature).toBe(true);

    // 2. The script re-encrypts everything; running it again finds nothing to do.
    const first = await rotateKey(loadRotateKeyConfig(stack.env));
    expect(first).toEqual({ reencrypted: 3, current: 0, failed: 0, skipped: 0 });
    const rows = await storedSecrets();
    expect(rows.map((r) => kidOf(r.destination_secret!))).toEqual([newKid, newKid, newKid]);
    expect(await rotateKey(loadRotateKeyConfig(stack.env))).toEqual({ reencrypted: 0, current: 3, failed: 0, skipped: 0 });
    expect((await storedSecrets()).map((r) => r.destination_secret)).toEqual(rows.map((r) => r.destination_secret));

    // 3. The old key is dropped: every subscription is still delivered, correctly signed.
    await restart(["worker"], { HOOKSTREAM_ENCRYPTION_KEY_PREVIOUS: undefined });
    await deliverToAll(workspaces);
    for (const w of workspaces) expect(lastDelivery(w).validSignature).toBe(true);

    // A value under a key nobody holds any more is reported, never decrypted into anything.
    const [victim] = rows;
    await stack.db.query("UPDATE subscriptions SET destination_secret = $2 WHERE id = $1", [victim!.id, new Keyring(testEncryptionKey()).encrypt("whsec_lost")]);
    expect(await rotateKey(loadRotateKeyConfig(stack.env))).toEqual({ reencrypted: 0, current: 2, failed: 1, skipped: 0 });
  });

  it("refuses to start a service without HOOKSTREAM_ENCRYPTION_KEY, naming the variable", () => {
    const { HOOKSTREAM_ENCRYPTION_KEY: _omitted, ...env } = stack.env;
    for (const load of [loadRouterConfig, loadWorkerConfig, loadDlqConfig, loadRotateKeyConfig]) expect(() => load(env)).toThrow(/HOOKSTREAM_ENCRYPTION_KEY: is required/);
    expect(() => loadRotateKeyConfig({ ...env, HOOKSTREAM_ENCRYPTION_KEY: "short" })).toThrow(/HOOKSTREAM_ENCRYPTION_KEY: must be at least 32 characters/);
  });
});
