/**
 * Alert rules and the Grafana dashboard: promtool validates and unit-tests the rules (thresholds included),
 * and both only use metrics the services export.
 */
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { CHART, ROOT, run, tempCopy } from "./support/k8s";

const RULES = join(CHART, "files", "hookstream.rules.yaml");
const RULES_TEST = join(__dirname, "fixtures", "hookstream.rules.test.yaml");
const DASHBOARD = join(CHART, "files", "hookstream-dashboard.json");

/** Every metric name the services' code defines (test/e2e checks the live /metrics output too). */
const EXPORTED = new Set(
  ["services", "libs"].flatMap((top) =>
    readdirSync(join(ROOT, top), { recursive: true, encoding: "utf8" })
      .filter((f) => f.endsWith(".ts") && !/\.(int-)?spec\.ts$/.test(f))
      .flatMap((f) => [...readFileSync(join(ROOT, top, f), "utf8").matchAll(/\bhookstream_[a-z0-9_]+\b/g)].map(([m]) => m)),
  ),
);
const HISTOGRAMS = new Set(["hookstream_operation_duration_seconds", "hookstream_db_pool_acquire_duration_seconds"]);

/** Metric names in a PromQL expression; histogram series map to their family. */
function metricsIn(expr: string): string[] {
  return [...expr.matchAll(/\bhookstream_[a-z0-9_]+\b/g)].map(([m]) => {
    const family = m.replace(/_(bucket|sum|count)$/, "");
    return HISTOGRAMS.has(family) ? family : m;
  });
}

/** promtool ships in Debian's `prometheus` package; the CI installs it, so its absence is a failure. */
function promtool(args: string[]) {
  const which = run("sh", ["-c", "command -v promtool"]);
  if (which.status !== 0) throw new Error("promtool is not installed: `apt-get install -y prometheus` (Debian package `prometheus`) provides /usr/bin/promtool");
  return run("promtool", args);
}

interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
}
const groups = () => (parseYaml(readFileSync(RULES, "utf8")) as { groups: { name: string; rules: Rule[] }[] }).groups;

describe("Prometheus rules", () => {
  it("pass promtool check rules", () => {
    const r = promtool(["check", "rules", RULES]);
    expect(`${r.stdout}${r.stderr}`).toContain("SUCCESS");
    expect(r.status).toBe(0);
  });

  it("fire at the documented thresholds (promtool test rules)", () => {
    const r = promtool(["test", "rules", RULES_TEST]);
    expect(`${r.status}\n${r.stdout}${r.stderr}`).toMatch(/^0\n[\s\S]*SUCCESS/);
  });

  it("the unit tests catch a changed threshold", () => {
    // Same tests against a copy whose DLQ threshold moved from 50 to 60: they must fail.
    const dir = tempCopy(join(ROOT, "deploy", "helm", "hookstream", "files"), "rules-mutant");
    try {
      const mutant = join(dir, "hookstream.rules.yaml");
      writeFileSync(mutant, readFileSync(RULES, "utf8").replace('status="pending"}) > 50', 'status="pending"}) > 60'));
      const test = join(dir, "rules.test.yaml");
      writeFileSync(test, readFileSync(RULES_TEST, "utf8").replace(/rule_files:\n\s+- .*\n/, `rule_files:\n  - ${mutant}\n`));
      const r = promtool(["test", "rules", test]);
      expect(r.status).not.toBe(0);
      expect(`${r.stdout}${r.stderr}`).toContain("HookstreamDLQPendingHigh");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("alert when the DLQ holds more than 50 pending entries (critical) and when job success drops below 95% (warning)", () => {
    const all = groups().flatMap((g) => g.rules);
    const dlq = all.find((r) => r.alert === "HookstreamDLQPendingHigh")!;
    expect(dlq.expr).toMatch(/hookstream_dlq_entries\{status="pending"\}\) > 50$/);
    expect(dlq.labels?.severity).toBe("critical");
    const success = all.find((r) => r.alert === "HookstreamJobSuccessRateLow")!;
    expect(success.expr).toContain("< 0.95");
    expect(success.labels?.severity).toBe("warning");
    for (const r of all.filter((x) => x.alert)) expect(["critical", "warning", "info"]).toContain(r.labels?.severity);
  });

  it("only use exported metrics or their own recording rules", () => {
    const records = new Set(groups().flatMap((g) => g.rules.flatMap((r) => (r.record ? [r.record] : []))));
    for (const r of groups().flatMap((g) => g.rules)) {
      for (const m of metricsIn(r.expr)) expect({ rule: r.alert ?? r.record, metric: m, known: EXPORTED.has(m) }).toEqual({ rule: r.alert ?? r.record, metric: m, known: true });
      for (const rec of r.expr.match(/\bhookstream:[a-z0-9_:]+/g) ?? []) expect(records).toContain(rec);
    }
  });
});

interface Panel {
  id: number;
  type: string;
  title: string;
  gridPos: { x: number; y: number; w: number; h: number };
  datasource?: { type: string; uid: string };
  targets?: { expr: string; refId: string }[];
  panels?: Panel[];
}

describe("Grafana dashboard", () => {
  const dashboard = () => JSON.parse(readFileSync(DASHBOARD, "utf8")) as { uid: string; title: string; panels: Panel[]; templating: { list: { name: string; type: string }[] } };
  const panels = () => dashboard().panels.flatMap((p) => [p, ...(p.panels ?? [])]);

  it("parses, with a stable uid and a Prometheus datasource variable", () => {
    const d = dashboard();
    expect(d.uid).toBe("hookstream");
    expect(d.templating.list).toEqual(expect.arrayContaining([expect.objectContaining({ name: "datasource", type: "datasource" })]));
    const ids = panels().map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const p of panels()) {
      expect(p.gridPos.x + p.gridPos.w).toBeLessThanOrEqual(24);
      if (p.type !== "row") expect(p.datasource).toEqual({ type: "prometheus", uid: "${datasource}" });
    }
  });

  it("only queries exported metrics", () => {
    const queried = panels().flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr })));
    expect(queried.length).toBeGreaterThan(10);
    for (const { panel, expr } of queried) {
      const metrics = metricsIn(expr);
      expect({ panel, hasMetric: metrics.length > 0 }).toEqual({ panel, hasMetric: true });
      for (const m of metrics) expect({ panel, metric: m, known: EXPORTED.has(m) }).toEqual({ panel, metric: m, known: true });
    }
  });

  it("covers webhooks by source and status, verification failures, jobs and latency by outcome, retries, dead letters and the DLQ", () => {
    const used = new Set(panels().flatMap((p) => (p.targets ?? []).flatMap((t) => metricsIn(t.expr))));
    const required = [
      "hookstream_webhooks_received_total",
      "hookstream_webhooks_rejected_total",
      "hookstream_messages_processed_total",
      "hookstream_messages_failed_total",
      "hookstream_operation_duration_seconds",
      "hookstream_dead_letters_total",
      "hookstream_dlq_entries",
      "hookstream_dlq_oldest_pending_age_seconds",
      "hookstream_consumer_pending_messages",
      "hookstream_consumer_redelivered_messages",
    ];
    expect(required.filter((m) => !used.has(m))).toEqual([]);
    const text = JSON.stringify(dashboard());
    expect(text).toContain("sum by (source, reason)");
    expect(text).toContain("sum by (le, operation, outcome)");
    expect(text).toContain('"exemplar":true');
  });
});
