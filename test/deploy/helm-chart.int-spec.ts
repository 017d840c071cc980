/**
 * The Helm chart, proven without a cluster: helm lint, helm template with the shipped values, every object
 * validated against the Kubernetes schemas (CRDs field by field), the production requirements asserted, and
 * values.schema.json shown to reject wrong values by name.
 */
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { loadProvisionConfig } from "@hookstream/provisioning";
import { testEncryptionKey } from "@hookstream/testing";
import { loadDlqConfig } from "../../services/dlq-manager/src/config";
import { loadWorkerConfig } from "../../services/workspace-worker/src/config";
import { byKind, CHART, helm, helmBinary, helmTemplate, type K8sObject, matches, one, schemaProblems, tempCopy } from "./support/k8s";
import { configMapProblems, configOf, deploymentsByComponent, envOf, mainContainer, podSpec, workloadProblems } from "./support/workloads";

const DEV = join(CHART, "values-dev.yaml");
const PROD = join(CHART, "values-prod.yaml");
/** What a cluster with the Prometheus Operator CRDs reports; helm template knows only built-in APIs. */
const WITH_MONITORING_CRDS = ["--api-versions", "monitoring.coreos.com/v1"];
const RULES_FILE = join(CHART, "files", "hookstream.rules.yaml");
const DASHBOARD_FILE = join(CHART, "files", "hookstream-dashboard.json");

const hookJob = (objects: K8sObject[]) => {
  const jobs = byKind(objects, "Job");
  expect(jobs).toHaveLength(1);
  return jobs[0]!;
};

/** The hook Job's environment as the provisioning script sees it (inline values, no ConfigMap). */
function jobEnv(objects: K8sObject[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const e of mainContainer(hookJob(objects)).env ?? []) if (e.value !== undefined) env[e.name] = e.value;
  // DATABASE_URL comes from a Secret at run time; any well-formed URL stands in for it here.
  env.DATABASE_URL = "postgres://hookstream@db:5432/hookstream";
  return env;
}

beforeAll(() => {
  helmBinary();
});

describe("helm lint", () => {
  it.each([
    ["defaults", []],
    ["dev", ["-f", DEV]],
    ["prod", ["-f", PROD]],
  ])("passes --strict with the %s values", (_label, args) => {
    const r = helm(["lint", "--strict", CHART, ...args]);
    expect(`${r.stdout}${r.stderr}`).toContain("0 chart(s) failed");
    expect(r.status).toBe(0);
  });

  it("declares the official NATS chart as an optional dependency", () => {
    const chart = parseYaml(readFileSync(join(CHART, "Chart.yaml"), "utf8")) as { dependencies: Record<string, string>[] };
    expect(chart.dependencies).toEqual([
      expect.objectContaining({ name: "nats", repository: "https://nats-io.github.io/k8s/helm/charts/", condition: "nats.enabled" }),
    ]);
  });
});

describe.each([
  ["defaults", [] as string[]],
  ["dev", ["-f", DEV]],
  ["prod", ["-f", PROD, ...WITH_MONITORING_CRDS]],
])("helm template with the %s values", (label, args) => {
  let objects: K8sObject[];
  beforeAll(() => {
    objects = helmTemplate(args);
  });

  it("renders only objects valid against the Kubernetes schemas", () => {
    expect(objects.length).toBeGreaterThan(10);
    expect(schemaProblems(objects)).toEqual([]);
  });

  it("runs the four services with probes, resources and the restricted security context", () => {
    expect(workloadProblems(objects)).toEqual([]);
  });

  it("references secrets and never renders one into a ConfigMap", () => {
    expect(configMapProblems(objects)).toEqual([]);
    expect(byKind(objects, "Secret")).toEqual([]);
  });

  it("provisions with one pre-install/pre-upgrade hook Job", () => {
    const job = hookJob(objects);
    expect(job.metadata.annotations?.["helm.sh/hook"]).toBe("pre-install,pre-upgrade");
    expect(job.metadata.annotations?.["helm.sh/hook-delete-policy"]).toContain("before-hook-creation");
    expect(mainContainer(job).command).toEqual(["node", "/app/dist/scripts/provision.js"]);
    // A pre-install hook runs before the release's ConfigMap and ServiceAccount exist.
    expect(mainContainer(job).envFrom).toBeUndefined();
    expect(podSpec(job).serviceAccountName).toBeUndefined();
    expect(envOf(mainContainer(job), "DATABASE_URL")?.valueFrom?.secretKeyRef).toEqual({ name: "hookstream-database", key: "DATABASE_URL" });
    const expected = { defaults: "3", dev: "1", prod: "3" }[label as "defaults" | "dev" | "prod"];
    expect(jobEnv(objects).STREAM_REPLICAS).toBe(expected);
  });

  it("keeps the admin ports inside the cluster and exposes only ingress", () => {
    const policies = byKind(objects, "NetworkPolicy");
    expect(policies).toHaveLength(4);
    for (const [component, d] of deploymentsByComponent(objects)) {
      const p = policies.find((n) => matches(n.spec.podSelector.matchLabels, d.spec.template.metadata.labels));
      expect(p).toBeDefined();
      const from = p!.spec.ingress.flatMap((r: { from?: object[] }) => r.from ?? []);
      if (component === "ingress") expect(from).toEqual([]);
      else expect(from).toEqual([{ namespaceSelector: {} }]);
    }
    for (const i of [...byKind(objects, "Ingress"), ...byKind(objects, "HTTPRoute")])
      expect(JSON.stringify(i.spec)).toContain(one(objects, "Service", "-ingress").metadata.name);
  });

  it("sets the config the services and the provisioning Job share", () => {
    const d = deploymentsByComponent(objects);
    const cfg = configOf(objects, mainContainer(d.get("workspace-worker")!));
    expect(cfg).toMatchObject({ JOB_MAX_DELIVER: "6", JOB_BACKOFF: "5s,30s,2m,10m,1h", WEBHOOK_MAX_BODY_BYTES: "5242880" });
    const job = jobEnv(objects);
    for (const k of ["NATS_URL", "STREAM_REPLICAS", "JOB_MAX_DELIVER", "JOB_BACKOFF", "ROUTER_MAX_DELIVER", "ROUTER_BACKOFF"]) expect(job[k]).toBe(cfg[k]);
    // The provisioning script accepts what the chart renders.
    expect(() => loadProvisionConfig(job)).not.toThrow();
  });
});

describe("helm template specifics", () => {
  it("worker, dead-letter and retention settings reach the services as they read them", () => {
    const objects = helmTemplate([
      ...["config.workspaceConcurrency=4", "config.deliveryConcurrency=16", "config.jobHandlersDisabled={workspace-activity,cache-invalidation}", "config.deliveryTimeout=3s", "config.breaker.failures=7", "config.breaker.openFor=2s", "config.breaker.maxOpen=1m"],
      ...["config.dlq.retries=2", "config.dlq.retryFirst=1m", "config.dlq.retryLast=10m", "config.dlq.replayRate=20"],
      ...["config.retention.interval=30m", "config.retention.completedJobs=3d", "config.retention.auditLog=0", "config.retention.batchSize=200"],
      ...["streams.jobs.maxAge=2d", "streams.webhooks.maxBytes=10737418240"],
    ].flatMap((v) => ["--set", v]));
    const d = deploymentsByComponent(objects);
    // What the chart takes from Secrets (existingSecret references), filled in as Kubernetes would.
    const secrets = { DATABASE_URL: "postgres://hookstream@db:5432/hookstream", ADMIN_TOKEN: "an-admin-token", HOOKSTREAM_ENCRYPTION_KEY: testEncryptionKey() };
    const worker = loadWorkerConfig({ ...configOf(objects, mainContainer(d.get("workspace-worker")!)), ...secrets });
    expect(worker.disabledHandlers).toEqual(["workspace-activity", "cache-invalidation"]);
    expect({ workspace: worker.workspaceConcurrency, deliveries: worker.deliveryConcurrency, timeout: worker.deliveryTimeoutMs, breaker: worker.breaker }).toEqual({
      workspace: 4,
      deliveries: 16,
      timeout: 3000,
      breaker: { failureThreshold: 7, openMs: 2000, maxOpenMs: 60_000 },
    });
    const dlq = loadDlqConfig({ ...configOf(objects, mainContainer(d.get("dlq-manager")!)), ...secrets });
    expect(dlq.recovery.delaysMs).toEqual([60_000, 600_000]);
    expect(dlq.replayRate).toBe(20);
    expect(dlq.retention).toMatchObject({ intervalMs: 1_800_000, batchSize: 200, ages: { completedJobsMs: 3 * 86_400_000, auditLogMs: 0, routedEventsMs: 30 * 86_400_000 } });
    const { limits } = loadProvisionConfig(jobEnv(objects));
    expect(limits.JOBS.maxAgeMs).toBe(2 * 86_400_000);
    expect(limits.WEBHOOKS.maxBytes).toBe(10 * 2 ** 30);
    // Left at 0, WORKSPACE_CONCURRENCY is not rendered and the worker's own default applies.
    expect(configOf(helmTemplate([]), mainContainer(deploymentsByComponent(helmTemplate([])).get("workspace-worker")!)).WORKSPACE_CONCURRENCY).toBeUndefined();
  });

  it("defaults: HPA for the workers, PDB per service, no monitoring CRDs without the Operator, dashboard ConfigMap", () => {
    const objects = helmTemplate();
    const d = deploymentsByComponent(objects);
    expect(byKind(objects, "PodDisruptionBudget")).toHaveLength(4);
    const hpa = one(objects, "HorizontalPodAutoscaler", "workspace-worker");
    expect(hpa.spec.scaleTargetRef.name).toBe(d.get("workspace-worker")!.metadata.name);
    expect(d.get("workspace-worker")!.spec.replicas).toBeUndefined();
    expect(d.get("ingress")!.spec.replicas).toBe(2);
    expect(byKind(objects, "ServiceMonitor")).toEqual([]);
    expect(byKind(objects, "PrometheusRule")).toEqual([]);
    const dash = one(objects, "ConfigMap", "dashboard");
    expect(dash.metadata.labels?.grafana_dashboard).toBe("1");
    expect(JSON.parse(dash.data!["hookstream-dashboard.json"]!)).toEqual(JSON.parse(readFileSync(DASHBOARD_FILE, "utf8")));
    expect(byKind(objects, "Ingress")).toEqual([]);
  });

  it("dev: one replica each, no PDB or HPA, a Gateway API HTTPRoute for the webhook path", () => {
    const objects = helmTemplate(["-f", DEV]);
    for (const d of byKind(objects, "Deployment")) expect(d.spec.replicas).toBe(1);
    expect(byKind(objects, "PodDisruptionBudget")).toEqual([]);
    expect(byKind(objects, "HorizontalPodAutoscaler")).toEqual([]);
    const route = one(objects, "HTTPRoute", "ingress");
    const svc = one(objects, "Service", "-ingress");
    expect(route.spec.parentRefs).toEqual([{ name: "dev-gateway", namespace: "gateway-system" }]);
    expect(route.spec.rules).toEqual([
      { matches: [{ path: { type: "PathPrefix", value: "/webhooks" } }], backendRefs: [{ name: svc.metadata.name, port: svc.spec.ports[0].port }] },
    ]);
  });

  it("prod: Ingress carries the body limit, monitoring objects match the shipped files, NATS over TLS with credentials", () => {
    const objects = helmTemplate(["-f", PROD, ...WITH_MONITORING_CRDS]);
    const d = deploymentsByComponent(objects);
    const cfg = configOf(objects, mainContainer(d.get("ingress")!));

    const ingress = one(objects, "Ingress", "ingress");
    expect(ingress.metadata.annotations?.["nginx.ingress.kubernetes.io/proxy-body-size"]).toBe(cfg.WEBHOOK_MAX_BODY_BYTES);
    const paths = ingress.spec.rules.flatMap((r: { http: { paths: object[] } }) => r.http.paths);
    expect(paths).toEqual([
      { path: "/webhooks", pathType: "Prefix", backend: { service: { name: one(objects, "Service", "-ingress").metadata.name, port: { name: "http" } } } },
    ]);

    expect(byKind(objects, "HorizontalPodAutoscaler").map((h) => h.spec.scaleTargetRef.name).sort()).toEqual(
      ["ingress", "router", "workspace-worker"].map((c) => d.get(c as "ingress")!.metadata.name).sort(),
    );

    const sm = one(objects, "ServiceMonitor", "hookstream");
    const services = byKind(objects, "Service").filter((s) => matches(sm.spec.selector.matchLabels, s.metadata.labels));
    expect(services).toHaveLength(4);
    for (const s of services) expect(s.spec.ports.map((p: { name: string }) => p.name)).toContain(sm.spec.endpoints[0].port);
    expect(sm.spec.endpoints[0]).toMatchObject({ path: "/metrics", honorLabels: true });
    expect(sm.metadata.labels?.release).toBe("kube-prometheus-stack");

    const rule = one(objects, "PrometheusRule", "hookstream");
    expect(rule.spec).toEqual(parseYaml(readFileSync(RULES_FILE, "utf8")));

    const dash = one(objects, "ConfigMap", "dashboard");
    expect(dash.metadata.namespace).toBe("monitoring");

    for (const [, dep] of d) {
      const c = mainContainer(dep);
      const vol = (name: string) => podSpec(dep).volumes.find((v: { name: string }) => v.name === name);
      expect(vol("nats-tls")?.secret?.secretName).toBe("hookstream-nats-tls");
      expect(vol("nats-creds")?.secret?.secretName).toBe("hookstream-nats-creds");
      const own = configOf(objects, c);
      expect(own.NATS_URL).toBe("tls://nats.nats.svc:4222");
      expect(own.NATS_CREDS_FILE).toBe("/etc/hookstream/nats/creds/hookstream.creds");
      expect(own.NATS_TLS_CA_FILE).toBe("/etc/hookstream/nats/tls/ca.crt");
      expect(c.volumeMounts).toEqual(expect.arrayContaining([expect.objectContaining({ name: "nats-tls", readOnly: true }), expect.objectContaining({ name: "nats-creds", readOnly: true })]));
      expect(envOf(c, "OTEL_RESOURCE_ATTRIBUTES")?.value).toContain("deployment.environment=production");
    }
    expect(cfg).toMatchObject({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://tempo-distributor.monitoring.svc:4318", OTEL_TRACES_SAMPLER: "parentbased_traceidratio", OTEL_TRACES_SAMPLER_ARG: "0.25" });
  });

  it("keda.enabled scales the workers on the JOBS consumer's pending count instead of the HPA", () => {
    const objects = helmTemplate([
      "--set", "services.workspaceWorker.keda.enabled=true",
      "--set", "services.workspaceWorker.keda.natsServerMonitoringEndpoint=nats-headless.nats.svc:8222",
    ]);
    expect(schemaProblems(objects)).toEqual([]);
    expect(workloadProblems(objects)).toEqual([]);
    const worker = deploymentsByComponent(objects).get("workspace-worker")!;
    const so = one(objects, "ScaledObject", "workspace-worker");
    expect(so.apiVersion).toBe("keda.sh/v1alpha1");
    expect(so.spec.scaleTargetRef).toEqual({ apiVersion: "apps/v1", kind: "Deployment", name: worker.metadata.name });
    expect(so.spec.minReplicaCount).toBeLessThanOrEqual(so.spec.maxReplicaCount);
    expect(so.spec.triggers).toHaveLength(1);
    const t = so.spec.triggers[0];
    expect(t.type).toBe("nats-jetstream");
    expect(t.metadata).toMatchObject({ stream: "JOBS", consumer: "workspace-worker", natsServerMonitoringEndpoint: "nats-headless.nats.svc:8222" });
    // KEDA reads trigger metadata as strings only.
    for (const v of Object.values(t.metadata)) expect(typeof v).toBe("string");
    expect(byKind(objects, "HorizontalPodAutoscaler").filter((h) => h.spec.scaleTargetRef.name === worker.metadata.name)).toEqual([]);
    expect(worker.spec.replicas).toBeUndefined();
  });

  it("nats.enabled without the downloaded NATS chart fails with the command that fixes it", () => {
    const r = helm(["template", "hs", CHART, "--set", "nats.enabled=true"]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain("helm dependency build");
  });

  it("nats.enabled points the services at the bundled NATS and provisions after it exists", () => {
    // A stand-in for the downloaded chart: only this chart's own templates are under test.
    const copy = tempCopy(CHART, "chart-nats");
    try {
      rmSync(join(copy, "charts", "nats", "templates"), { recursive: true, force: true });
      writeFileSync(join(copy, "charts", "nats", "Chart.yaml"), "apiVersion: v2\nname: nats\nversion: 1.2.0\n");
      const objects = helmTemplate(["--set", "nats.enabled=true"], copy);
      expect(schemaProblems(objects)).toEqual([]);
      expect(workloadProblems(objects)).toEqual([]);
      const cfg = configOf(objects, mainContainer(deploymentsByComponent(objects).get("router")!));
      expect(cfg.NATS_URL).toBe("nats://hs-nats.hookstream.svc:4222");
      expect(hookJob(objects).metadata.annotations?.["helm.sh/hook"]).toBe("post-install,pre-upgrade");
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });

  it("NOTES.txt shows a signed test webhook and the nats commands", () => {
    // helm template omits NOTES.txt, and helm install needs a cluster: render it through a wrapper template.
    const copy = tempCopy(CHART, "chart-notes");
    try {
      writeFileSync(join(copy, "templates", "zz-notes.yaml"), 'notes: |\n{{ include "hookstream/templates/NOTES.txt" . | indent 2 }}\n');
      const out = helm(["template", "hs", copy, "--show-only", "templates/zz-notes.yaml"]);
      expect(out.status).toBe(0);
      const notes = (parseYaml(out.stdout) as { notes: string }).notes;
      expect(notes).toContain("openssl dgst -sha256 -hmac");
      expect(notes).toContain("X-Hub-Signature-256");
      expect(notes).toMatch(/curl .*-X POST/);
      expect(notes).toContain("/webhooks/github");
      expect(notes).toContain("nats -s nats://nats:4222 stream ls");
      expect(notes).toContain("stream view WEBHOOKS");
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });
});

describe("values.schema.json and template guards", () => {
  it.each([
    ["services.ingress.replicaCount=two", "services.ingress.replicaCount"],
    ["podSecurityContext.runAsUser=0", "podSecurityContext.runAsUser"],
    ["streams.managedBy=operator", "streams.managedBy"],
    ["streams.replicas=0", "streams.replicas"],
    ["services.router.replicas=3", "Additional property replicas"],
    ["streams.jobs.backoff=5 seconds", "streams.jobs.backoff"],
    ["externalNats.url=http://nats:4222", "externalNats.url"],
    ["database.existingSecret=", "database.existingSecret"],
    ["config.logLevel=loud", "config.logLevel"],
    ["monitoring.serviceMonitor.interval=often", "monitoring.serviceMonitor.interval"],
  ])("rejects %s, naming it", (set, named) => {
    const r = helm(["template", "hs", CHART, "--set", set]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain("values don't meet the specifications of the schema");
    expect(r.stderr).toContain(named);
    const lint = helm(["lint", CHART, "--set", set]);
    expect(lint.status).not.toBe(0);
  });

  it.each([
    ["config.extraEnv.STRIPE_WEBHOOK_SECRET=whsec_x", "config.extraEnv.STRIPE_WEBHOOK_SECRET looks like a secret"],
    ["services.router.env.ADMIN_TOKEN=x", "services.router.env.ADMIN_TOKEN looks like a secret"],
    ["streams.jobs.maxDeliver=5", "streams.jobs.maxDeliver (5) must exceed the number of streams.jobs.backoff values (5)"],
    ["httpRoute.enabled=true", "httpRoute.parentRefs"],
  ])("refuses %s with a message", (set, message) => {
    const r = helm(["template", "hs", CHART, "--set", set]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain(message);
  });

  it("accepts the documented alternatives", () => {
    for (const set of ["streams.managedBy=nack", "streams.replicas=1", "config.extraEnv.DELIVERY_TIMEOUT=15s", "services.ingress.podDisruptionBudget.minAvailable=1"]) {
      const r = helm(["template", "hs", CHART, "--set", set]);
      expect({ set, status: r.status, stderr: r.stderr }).toEqual({ set, status: 0, stderr: "" });
    }
  });
});
