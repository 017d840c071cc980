import { TestDestination } from "../../../test/support/destinations";
import { eventually } from "../../../test/support/eventually";
import { ADMIN_TOKEN, READ_TOKEN, TestStack } from "../../../test/support/stack";
import { runCli } from "../src/cli/commands";
import { entryOf, send } from "./dlq.support";

// The CLI against a running DLQ manager, in this process: what it prints and the exit codes scripts rely on.
const secret = TestDestination.secret("cli-destination-secret");
const dest = new TestDestination(secret);
const stack = new TestStack();

async function cli(line: string[], token = ADMIN_TOKEN) {
  const out: string[] = [];
  const err: string[] = [];
  const progress: string[] = [];
  const code = await runCli(line, { out: (t) => out.push(t), err: (t) => err.push(t), progress: (l) => progress.push(l) }, { HOOKSTREAM_URL: stack.url("dlq", "/"), ADMIN_TOKEN: token });
  return { code, out: out.join("\n"), err: err.join("\n"), progress };
}

const ids: Record<string, string> = {};

beforeAll(async () => {
  await dest.start();
  await stack.start({ JOB_BACKOFF: "1s", JOB_MAX_DELIVER: "2" });
  for (const ws of ["cli-0", "cli-1", "cli-2"]) {
    dest.answer(`/${ws}`, 500);
    await stack.subscribe({ workspaceId: ws, resource: "acme/cli", destinationUrl: dest.url(`/${ws}`), destinationSecret: secret });
  }
  await send(stack, "acme/cli", "d-cli");
  for (const ws of ["cli-0", "cli-1", "cli-2"]) ids[ws] = (await entryOf(stack, ws)).id;
});

afterAll(async () => {
  await stack.stop();
  await dest.stop();
});

describe("hookstream dlq", () => {
  it("stats: a summary, or JSON for scripts", async () => {
    const json = await cli(["dlq", "stats", "--json"]);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.out)).toMatchObject({ total: 3, byStatus: { pending: 3 }, byCategory: { external_api: 3 } });
    const text = await cli(["dlq", "stats"]);
    expect(text.out).toMatch(/entries:\s+3\nby status:\s+pending 3\nby category:\s+external_api 3/);
  });

  it("ls and show: a table of entries, and one entry with its attempts", async () => {
    const ls = await cli(["dlq", "ls"]);
    expect(ls.code).toBe(0);
    const rows = ls.out.split("\n");
    expect(rows[0]).toMatch(/^ID\s+STATUS\s+CATEGORY\s+SOURCE\/EVENT\s+WORKSPACE/);
    expect(rows.slice(1).map((r) => r.split(/\s+/)[4]).sort()).toEqual(["cli-0", "cli-1", "cli-2"]);
    const one = await cli(["dlq", "ls", "--workspace", "cli-1", "--json"]);
    expect(JSON.parse(one.out).items.map((e: { id: string }) => e.id)).toEqual([ids["cli-1"]]);
    const show = await cli(["dlq", "show", ids["cli-0"]!]);
    expect(show.out).toContain(`id:                 ${ids["cli-0"]}`);
    expect(show.out.split("\n").filter((l) => /\s500\s.*destination answered 500$/.test(l))).toHaveLength(2);
  });

  it("replay: one entry, then a bulk replay by filter with a dry run and a progress bar", async () => {
    for (const ws of ["cli-0", "cli-1", "cli-2"]) dest.answer(`/${ws}`, 200);
    const one = await cli(["dlq", "replay", ids["cli-0"]!]);
    expect(one).toMatchObject({ code: 0, out: expect.stringMatching(/^replay 1 of .* published to JOBS #\d+; entry is retrying$/) });
    const twice = await cli(["dlq", "replay", ids["cli-0"]!]);
    expect(twice.code).toBe(1);
    expect(twice.err).toMatch(/\(409 not_replayable\)/);

    const dry = await cli(["dlq", "replay", "--workspace", "cli-1", "--dry-run"]);
    expect(dry).toMatchObject({ code: 0, out: "1 entries would be replayed" });
    const bulk = await cli(["dlq", "replay", "--workspace", "cli-1", "--json"]);
    expect(bulk.code).toBe(0);
    expect(JSON.parse(bulk.out)).toMatchObject({ kind: "dlq_replay", status: "done", total: 1, done: 1 });
    expect(bulk.progress.at(-1)).toBe(`${"[" + "#".repeat(30)}] 100% 1/1\n`);
    await eventually(() => dest.on("/cli-1").some((d) => d.id.endsWith(":replay:1")) && dest.on("/cli-0").some((d) => d.id.endsWith(":replay:1")), "both replays delivered");
  });

  it("resolve and discard need a note and an open entry; a read-only token cannot act", async () => {
    expect((await cli(["dlq", "resolve", ids["cli-2"]!])).code).toBe(2);
    const readOnly = await cli(["dlq", "discard", ids["cli-2"]!, "--note", "nope"], READ_TOKEN);
    expect(readOnly).toMatchObject({ code: 1, err: "this token may only read (403 read_only_token)" });
    const resolved = await cli(["dlq", "resolve", ids["cli-2"]!, "--note", "customer confirmed receipt"]);
    expect(resolved).toMatchObject({ code: 0, out: `${ids["cli-2"]} is resolved` });
    expect((await cli(["dlq", "discard", ids["cli-2"]!, "--note", "late"])).code).toBe(1);
    const audit = await cli(["dlq", "audit", "--entry", ids["cli-2"]!, "--json"]);
    expect(JSON.parse(audit.out).items.map((a: { action: string; outcome: string }) => `${a.action} ${a.outcome}`)).toEqual(["discard refused", "resolve accepted"]);
  });

  it("replay from the event log: a dry run counts the events in range", async () => {
    const dry = await cli(["replay", "--since", "1h", "--source", "github", "--dry-run"]);
    expect(dry).toMatchObject({ code: 0, out: "1 events would be replayed" });
  });

  it("says what is wrong: usage, configuration, an unreachable DLQ manager", async () => {
    const usage = await cli(["dlq", "explode"]);
    expect(usage.code).toBe(2);
    expect(usage.err).toMatch(/unknown command "dlq explode"[\s\S]*hookstream dlq ls/);
    expect(await runCli(["dlq", "stats"], { out: () => undefined, err: () => undefined }, {})).toBe(1);
    const away = await runCli(["dlq", "stats"], { out: () => undefined, err: (t) => expect(t).toMatch(/cannot reach the DLQ manager at http:\/\/127.0.0.1:1/) }, { HOOKSTREAM_URL: "http://127.0.0.1:1", ADMIN_TOKEN });
    expect(away).toBe(1);
  });
});
