/**
 * The container image, without a Docker engine: the Dockerfile's stages are read for what production needs,
 * and the entrypoint script is run against a fake build output.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT, run } from "./support/k8s";

const ENTRYPOINT = join(ROOT, "deploy", "docker", "entrypoint.sh");

interface Stage {
  from: string;
  name?: string;
  lines: string[];
}

/** Dockerfile instructions per stage, continuation lines joined, comments dropped. */
function stages(): { args: string[]; stages: Stage[] } {
  const text = readFileSync(join(ROOT, "Dockerfile"), "utf8").replace(/\\\n\s*/g, " ");
  const lines = text.split("\n").map((l) => l.trim()).filter((l) => l && !l.startsWith("#"));
  const out: Stage[] = [];
  const args: string[] = [];
  for (const l of lines) {
    const from = /^FROM\s+(\S+)(?:\s+AS\s+(\S+))?/i.exec(l);
    if (from) out.push({ from: from[1]!, name: from[2], lines: [] });
    else if (out.length) out.at(-1)!.lines.push(l);
    else args.push(l);
  }
  return { args, stages: out };
}

describe("Dockerfile", () => {
  const { args, stages: all } = stages();
  const final = all.at(-1)!;

  it("builds in stages on Node 24 slim", () => {
    expect(args).toContain("ARG NODE_IMAGE=node:24-slim");
    expect(all.length).toBeGreaterThanOrEqual(2);
    for (const s of all) expect(s.from).toBe("${NODE_IMAGE}");
    const build = all.find((s) => s.lines.some((l) => /npm run build/.test(l)));
    expect(build).toBeDefined();
    expect(build).not.toBe(final);
  });

  it("ships production dependencies and the build output only", () => {
    const deps = all.find((s) => s.lines.some((l) => /npm ci\b.*--omit=dev/.test(l)));
    expect(deps).toBeDefined();
    const copies = final.lines.filter((l) => /^COPY/i.test(l));
    expect(copies).toEqual(
      expect.arrayContaining([
        expect.stringMatching(new RegExp(`^COPY --from=${deps!.name} /app/node_modules `)),
        expect.stringMatching(/^COPY --from=build \/src\/dist /),
      ]),
    );
    // No source tree, no dev tooling, no npm install in the final stage.
    expect(copies.filter((l) => /^COPY\s+\.\s/.test(l))).toEqual([]);
    expect(final.lines.filter((l) => /^RUN/i.test(l))).toEqual([]);
  });

  it("runs as a numeric non-root user through the entrypoint script", () => {
    const user = final.lines.filter((l) => /^USER /i.test(l)).at(-1);
    expect(user).toMatch(/^USER [1-9][0-9]*(:[1-9][0-9]*)?$/);
    expect(final.lines).toContain('ENTRYPOINT ["/usr/local/bin/hookstream"]');
    expect(final.lines.some((l) => /COPY .*deploy\/docker\/entrypoint\.sh \/usr\/local\/bin\/hookstream$/.test(l))).toBe(true);
  });

  it("keeps the build context small and free of local state, but not the entrypoint", () => {
    const ignore = readFileSync(join(ROOT, ".dockerignore"), "utf8").split("\n").map((l) => l.trim());
    for (const p of ["node_modules", ".git", "dist", ".tools", ".env", ".hookstream"]) expect(ignore).toContain(p);
    expect(ignore.indexOf("!deploy/docker/entrypoint.sh")).toBeGreaterThan(ignore.indexOf("deploy"));
  });
});

describe("entrypoint script", () => {
  const home = join(tmpdir(), `hookstream-entrypoint-${process.pid}`);
  beforeAll(() => {
    // Each fake entry point reports which file ran, its arguments and its pid.
    const report = 'console.log(JSON.stringify({ file: __filename, args: process.argv.slice(2), pid: process.pid }));';
    for (const s of ["ingress", "router", "workspace-worker", "dlq-manager"]) {
      mkdirSync(join(home, "dist", "services", s, "src"), { recursive: true });
      writeFileSync(join(home, "dist", "services", s, "src", "main.js"), report);
    }
    mkdirSync(join(home, "dist", "scripts"), { recursive: true });
    for (const s of ["provision", "secrets-rotate-key"]) writeFileSync(join(home, "dist", "scripts", `${s}.js`), report);
  });
  afterAll(() => rmSync(home, { recursive: true, force: true }));

  const start = (env: Record<string, string>, args: string[] = []) => {
    const r = run("env", ["-i", `PATH=${process.env.PATH}`, `HOOKSTREAM_HOME=${home}`, ...Object.entries(env).map(([k, v]) => `${k}=${v}`), "sh", ENTRYPOINT, ...args]);
    return { ...r, out: r.status === 0 ? (JSON.parse(r.stdout) as { file: string; args: string[]; pid: number }) : undefined };
  };

  it.each(["ingress", "router", "workspace-worker", "dlq-manager"])("HOOKSTREAM_SERVICE=%s starts that service", (service) => {
    const r = start({ HOOKSTREAM_SERVICE: service });
    expect(r.stderr).toBe("");
    expect(r.out?.file).toBe(join(home, "dist", "services", service, "src", "main.js"));
  });

  it("an argument wins over HOOKSTREAM_SERVICE and the rest is passed on", () => {
    const r = start({ HOOKSTREAM_SERVICE: "ingress" }, ["router", "--inspect-brk=0"]);
    expect(r.out).toMatchObject({ file: join(home, "dist", "services", "router", "src", "main.js"), args: ["--inspect-brk=0"] });
  });

  it("`provision` runs the provisioning script, `rotate-key` re-encrypts the stored secrets", () => {
    expect(start({}, ["provision"]).out?.file).toBe(join(home, "dist", "scripts", "provision.js"));
    expect(start({}, ["rotate-key"]).out?.file).toBe(join(home, "dist", "scripts", "secrets-rotate-key.js"));
  });

  it("replaces the shell with node, so SIGTERM reaches the service", () => {
    const r = run("sh", ["-c", `HOOKSTREAM_HOME=${home} HOOKSTREAM_SERVICE=router sh ${ENTRYPOINT} & echo "shell $!"; wait`]);
    const shellPid = Number(/shell (\d+)/.exec(r.stdout)?.[1]);
    const node = JSON.parse(r.stdout.split("\n").find((l) => l.startsWith("{"))!) as { pid: number };
    expect(node.pid).toBe(shellPid);
  });

  it("refuses an unknown or missing service with usage", () => {
    for (const r of [start({ HOOKSTREAM_SERVICE: "worker" }), start({})]) {
      expect(r.status).toBe(64);
      expect(r.stderr).toContain("set HOOKSTREAM_SERVICE or pass one of: ingress, router, workspace-worker, dlq-manager");
    }
  });
});
