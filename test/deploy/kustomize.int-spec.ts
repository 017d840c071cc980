/**
 * Plain manifests: `kubectl kustomize` renders the dev and prod overlays, every object is valid, the same
 * production requirements as the chart hold, and the base stays in step with the chart's defaults.
 */
import { join } from "node:path";
import { byKind, helmTemplate, type K8sObject, KUSTOMIZE, kubectlKustomize, matches, one, schemaProblems } from "./support/k8s";
import { COMPONENT_NAMES, configMapProblems, configOf, deploymentsByComponent, mainContainer, podSpec, workloadProblems } from "./support/workloads";

const overlay = (name: string) => kubectlKustomize(join(KUSTOMIZE, "overlays", name));

describe.each([
  ["dev", "hookstream-dev"],
  ["prod", "hookstream"],
])("kubectl kustomize deploy/k8s/overlays/%s", (name, namespace) => {
  let objects: K8sObject[];
  beforeAll(() => {
    objects = overlay(name);
  });

  it("renders only objects valid against the Kubernetes schemas, all in the overlay's namespace", () => {
    expect(schemaProblems(objects)).toEqual([]);
    for (const o of objects) {
      expect(`${o.kind}/${o.metadata.name} ${o.metadata.namespace}`).toBe(`${o.kind}/${o.metadata.name} ${namespace}`);
      expect(o.metadata.labels?.["app.kubernetes.io/part-of"]).toBe("hookstream");
    }
  });

  it("runs the four services with probes, resources and the restricted security context", () => {
    expect(workloadProblems(objects)).toEqual([]);
  });

  it("references secrets and never puts one in a ConfigMap", () => {
    expect(configMapProblems(objects)).toEqual([]);
    expect(byKind(objects, "Secret")).toEqual([]);
  });

  it("provisions streams, consumers and migrations with one Job that can run again on the next apply", () => {
    const [job, ...more] = byKind(objects, "Job");
    expect(more).toEqual([]);
    expect(mainContainer(job!).command).toEqual(["node", "/app/dist/scripts/provision.js"]);
    expect(job!.spec.ttlSecondsAfterFinished).toBeGreaterThan(0);
    const cfg = configOf(objects, mainContainer(job!));
    expect(cfg.STREAM_REPLICAS).toBe(name === "dev" ? "1" : "3");
    expect(cfg.NATS_URL).toMatch(/^nats:\/\//);
  });
});

describe("overlay differences", () => {
  it("dev: one replica of each service, no HPA or PDB", () => {
    const objects = overlay("dev");
    expect(byKind(objects, "Deployment").map((d) => d.spec.replicas)).toEqual([1, 1, 1, 1]);
    expect(byKind(objects, "HorizontalPodAutoscaler")).toEqual([]);
    expect(byKind(objects, "PodDisruptionBudget")).toEqual([]);
  });

  it("prod: replicas, HPAs owning the router and worker counts, a PDB per service, a public Ingress for /webhooks only", () => {
    const objects = overlay("prod");
    const d = deploymentsByComponent(objects);
    for (const c of COMPONENT_NAMES) {
      const pdbs = byKind(objects, "PodDisruptionBudget").filter((p) => matches(p.spec.selector.matchLabels, d.get(c)!.spec.template.metadata.labels));
      expect({ c, pdbs: pdbs.length }).toEqual({ c, pdbs: 1 });
    }
    expect(byKind(objects, "HorizontalPodAutoscaler").map((h) => h.spec.scaleTargetRef.name).sort()).toEqual([
      d.get("router")!.metadata.name,
      d.get("workspace-worker")!.metadata.name,
    ].sort());
    expect(d.get("ingress")!.spec.replicas).toBe(3);
    expect(d.get("dlq-manager")!.spec.replicas).toBe(2);

    const ingress = one(objects, "Ingress", "ingress");
    const cfg = configOf(objects, mainContainer(d.get("ingress")!));
    expect(ingress.metadata.annotations?.["nginx.ingress.kubernetes.io/proxy-body-size"]).toBe(cfg.WEBHOOK_MAX_BODY_BYTES);
    const paths = ingress.spec.rules.flatMap((r: { http: { paths: { path: string; backend: { service: { name: string } } }[] } }) => r.http.paths);
    expect(paths.map((p: { path: string; backend: { service: { name: string } } }) => [p.path, p.backend.service.name])).toEqual([["/webhooks", one(objects, "Service", "-ingress").metadata.name]]);
  });
});

describe("the kustomize base and the Helm chart's defaults describe the same deployment", () => {
  let base: K8sObject[];
  let chart: K8sObject[];
  beforeAll(() => {
    base = kubectlKustomize(join(KUSTOMIZE, "base"));
    chart = helmTemplate();
  });

  /** The parts of a service's pod that must not differ between the two, with names made comparable. */
  function shape(objects: K8sObject[], component: (typeof COMPONENT_NAMES)[number]) {
    const d = deploymentsByComponent(objects).get(component)!;
    const pod = podSpec(d);
    const c = mainContainer(d);
    return {
      env: (c.env ?? []).map((e) => e.name).sort(),
      secretRefs: (c.env ?? []).flatMap((e) => (e.valueFrom?.secretKeyRef ? [{ env: e.name, ...e.valueFrom.secretKeyRef }] : [])),
      envFromSecrets: (c.envFrom ?? []).flatMap((e) => (e.secretRef ? [e.secretRef.name] : [])),
      ports: c.ports,
      probes: [c.startupProbe, c.livenessProbe, c.readinessProbe],
      lifecycle: c.lifecycle,
      containerSecurity: c.securityContext,
      podSecurity: pod.securityContext,
      grace: pod.terminationGracePeriodSeconds,
      mounts: (c.volumeMounts ?? []).map((m) => m.mountPath),
      strategy: d.spec.strategy,
      spreadKeys: (pod.topologySpreadConstraints ?? []).map((t: { topologyKey: string }) => t.topologyKey),
    };
  }

  it.each(COMPONENT_NAMES)("%s: same variables, secret references, ports, probes, security and shutdown", (component) => {
    expect(shape(base, component)).toEqual(shape(chart, component));
  });

  it("same settings in the shared ConfigMap", () => {
    const keys = (objects: K8sObject[]) => Object.keys(configOf(objects, { ...mainContainer(deploymentsByComponent(objects).get("router")!), env: [] })).sort();
    expect(keys(base)).toEqual(keys(chart));
  });
});
