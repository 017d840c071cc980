import { byKind, type K8sObject, matches } from "./k8s";

/** What each service needs, from the code: port variable, secrets it reads. */
export const COMPONENTS = {
  ingress: { portEnv: "INGRESS_PORT", database: false, admin: false, encryption: false, webhookSecrets: true },
  router: { portEnv: "ROUTER_PORT", database: true, admin: true, encryption: true, webhookSecrets: false },
  "workspace-worker": { portEnv: "WORKER_PORT", database: true, admin: false, encryption: true, webhookSecrets: false },
  "dlq-manager": { portEnv: "DLQ_PORT", database: true, admin: true, encryption: true, webhookSecrets: false },
} as const;
export type Component = keyof typeof COMPONENTS;
export const COMPONENT_NAMES = Object.keys(COMPONENTS) as Component[];

/** Variable names whose value must only ever come from a Secret. */
export const SECRETISH = /SECRET|TOKEN|PASSWORD|PASSWD|PRIVATE|CREDENTIAL|_KEY$|^DATABASE_URL$/i;

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name?: string; key?: string; optional?: boolean }; configMapKeyRef?: unknown; fieldRef?: unknown };
}
interface EnvFrom {
  configMapRef?: { name: string };
  secretRef?: { name: string };
}
interface Probe {
  httpGet?: { path?: string; port?: string | number };
}
interface Container {
  name: string;
  image?: string;
  command?: string[];
  env?: EnvVar[];
  envFrom?: EnvFrom[];
  ports?: { name?: string; containerPort: number }[];
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  startupProbe?: Probe;
  lifecycle?: { preStop?: { exec?: { command?: string[] } } };
  resources?: { requests?: Record<string, string | number>; limits?: Record<string, string | number> };
  securityContext?: Record<string, any>;
  volumeMounts?: { name: string; mountPath: string }[];
}

export const podSpec = (o: K8sObject) => o.spec?.template?.spec as { containers: Container[]; [k: string]: any };
export const mainContainer = (o: K8sObject): Container => podSpec(o).containers[0]!;
export const envOf = (c: Container, name: string) => c.env?.find((e) => e.name === name);

/** The Deployment's service, from its HOOKSTREAM_SERVICE variable. */
export function componentOf(d: K8sObject): Component | undefined {
  const v = envOf(mainContainer(d), "HOOKSTREAM_SERVICE")?.value;
  return v && v in COMPONENTS ? (v as Component) : undefined;
}

export function deploymentsByComponent(objects: K8sObject[]): Map<Component, K8sObject> {
  const map = new Map<Component, K8sObject>();
  for (const d of byKind(objects, "Deployment")) {
    const c = componentOf(d);
    if (c) map.set(c, d);
  }
  return map;
}

/** The ConfigMap a container reads its settings from (envFrom). */
export function configOf(objects: K8sObject[], c: Container): Record<string, string> {
  const names = (c.envFrom ?? []).flatMap((e) => (e.configMapRef ? [e.configMapRef.name] : []));
  const data: Record<string, string> = {};
  for (const n of names) Object.assign(data, objects.find((o) => o.kind === "ConfigMap" && o.metadata.name === n)?.data ?? {});
  // Literal env wins over envFrom in Kubernetes, and the hook Job has its settings inline.
  for (const e of c.env ?? []) if (e.value !== undefined) data[e.name] = e.value;
  return data;
}

const seconds = (d: string) => {
  const m = /^(\d+)(s|m)$/.exec(d);
  if (!m) throw new Error(`SHUTDOWN_GRACE ${d} is not in s or m`);
  return Number(m[1]) * (m[2] === "m" ? 60 : 1);
};

/** Every production requirement on the rendered workloads; returns human-readable problems (empty when fine). */
export function workloadProblems(objects: K8sObject[]): string[] {
  const bad: string[] = [];
  const deployments = byKind(objects, "Deployment");
  const byComponent = deploymentsByComponent(objects);
  for (const c of COMPONENT_NAMES) if (!byComponent.has(c)) bad.push(`no Deployment runs HOOKSTREAM_SERVICE=${c}`);
  if (deployments.length !== COMPONENT_NAMES.length) bad.push(`expected 4 Deployments, got ${deployments.length}`);
  if (byKind(objects, "Secret").length) bad.push("a Secret is rendered: secrets must only be referenced");

  for (const w of [...deployments, ...byKind(objects, "Job")]) {
    const id = `${w.kind}/${w.metadata.name}`;
    const pod = podSpec(w);
    const psc = pod.securityContext ?? {};
    if (psc.runAsNonRoot !== true) bad.push(`${id}: pod runAsNonRoot is not true`);
    if (!(psc.runAsUser > 0)) bad.push(`${id}: pod runAsUser must be a non-zero uid`);
    if (psc.seccompProfile?.type !== "RuntimeDefault") bad.push(`${id}: pod seccompProfile is not RuntimeDefault`);
    if (pod.automountServiceAccountToken !== false) bad.push(`${id}: the service account token is mounted`);
    if (pod.hostNetwork || pod.hostPID || pod.hostIPC) bad.push(`${id}: uses host namespaces`);
    for (const c of pod.containers) {
      const cid = `${id}/${c.name}`;
      const sc = c.securityContext ?? {};
      if (sc.readOnlyRootFilesystem !== true) bad.push(`${cid}: readOnlyRootFilesystem is not true`);
      if (sc.allowPrivilegeEscalation !== false) bad.push(`${cid}: allowPrivilegeEscalation is not false`);
      if (sc.privileged === true) bad.push(`${cid}: privileged`);
      if (!(sc.capabilities?.drop ?? []).includes("ALL")) bad.push(`${cid}: capabilities do not drop ALL`);
      if ((sc.capabilities?.add ?? []).length) bad.push(`${cid}: adds capabilities`);
      if ((sc.runAsNonRoot ?? psc.runAsNonRoot) !== true) bad.push(`${cid}: runAsNonRoot is not true`);
      if ((sc.seccompProfile?.type ?? psc.seccompProfile?.type) !== "RuntimeDefault") bad.push(`${cid}: seccomp is not RuntimeDefault`);
      if (!c.resources?.requests?.cpu || !c.resources?.requests?.memory) bad.push(`${cid}: cpu and memory requests are required`);
      if (!c.resources?.limits?.memory) bad.push(`${cid}: no memory limit`);
      if (!c.image || /:latest$/.test(c.image) || !/[:@]/.test(c.image)) bad.push(`${cid}: image ${c.image} is not pinned to a tag or digest`);
      if (!(c.volumeMounts ?? []).some((m) => m.mountPath === "/tmp")) bad.push(`${cid}: no writable /tmp with a read-only root filesystem`);
      for (const e of c.env ?? []) {
        if (SECRETISH.test(e.name) && e.value !== undefined) bad.push(`${cid}: ${e.name} has a literal value instead of a secretKeyRef`);
        if (SECRETISH.test(e.name) && !e.valueFrom?.secretKeyRef) bad.push(`${cid}: ${e.name} is not read from a Secret`);
        const ref = e.valueFrom?.secretKeyRef;
        if (ref && (!ref.name || !ref.key)) bad.push(`${cid}: ${e.name} secretKeyRef lacks name or key`);
      }
      for (const ef of c.envFrom ?? []) {
        if (ef.configMapRef && !objects.some((o) => o.kind === "ConfigMap" && o.metadata.name === ef.configMapRef!.name))
          bad.push(`${cid}: envFrom ConfigMap ${ef.configMapRef.name} is not part of the manifests`);
      }
    }
  }

  for (const [component, d] of byComponent) {
    const id = `Deployment/${d.metadata.name}`;
    const spec = COMPONENTS[component];
    const c = mainContainer(d);
    if (!matches(d.spec.selector?.matchLabels, d.spec.template?.metadata?.labels)) bad.push(`${id}: selector does not match the pod labels`);
    if (c.readinessProbe?.httpGet?.path !== "/readyz") bad.push(`${id}: readinessProbe is not GET /readyz`);
    if (c.livenessProbe?.httpGet?.path !== "/healthz") bad.push(`${id}: livenessProbe is not GET /healthz`);
    if (!c.startupProbe?.httpGet?.path) bad.push(`${id}: no HTTP startupProbe`);
    const port = c.ports?.find((p) => p.name === "http");
    if (!port) bad.push(`${id}: no container port named http`);
    for (const p of [c.readinessProbe, c.livenessProbe, c.startupProbe])
      if (p?.httpGet && p.httpGet.port !== "http" && p.httpGet.port !== port?.containerPort) bad.push(`${id}: a probe targets port ${p.httpGet.port}`);
    const portEnv = envOf(c, spec.portEnv)?.value;
    if (port && portEnv !== String(port.containerPort)) bad.push(`${id}: ${spec.portEnv}=${portEnv} but the container port is ${port.containerPort}`);
    const cfg = configOf(objects, c);
    if (!cfg.NATS_URL) bad.push(`${id}: NATS_URL is not configured`);
    if (cfg.SHUTDOWN_GRACE) {
      const preStop = Number(c.lifecycle?.preStop?.exec?.command?.at(-1) ?? 0);
      const grace = d.spec.template.spec.terminationGracePeriodSeconds ?? 30;
      if (grace <= seconds(cfg.SHUTDOWN_GRACE) + preStop) bad.push(`${id}: terminationGracePeriodSeconds ${grace} leaves no time for SHUTDOWN_GRACE ${cfg.SHUTDOWN_GRACE} after a ${preStop}s preStop`);
    } else bad.push(`${id}: SHUTDOWN_GRACE is not configured`);
    if (!(podSpec(d).topologySpreadConstraints ?? []).length) bad.push(`${id}: no topologySpreadConstraints`);
    const secretRef = (name: string) => envOf(c, name)?.valueFrom?.secretKeyRef;
    if (spec.database !== !!secretRef("DATABASE_URL")) bad.push(`${id}: DATABASE_URL secret reference ${spec.database ? "missing" : "not needed"}`);
    if (spec.admin !== !!secretRef("ADMIN_TOKEN")) bad.push(`${id}: ADMIN_TOKEN secret reference ${spec.admin ? "missing" : "not needed"}`);
    if (spec.admin && secretRef("ADMIN_READ_TOKEN")?.optional !== true) bad.push(`${id}: ADMIN_READ_TOKEN must be an optional secret reference`);
    if (spec.encryption !== !!secretRef("HOOKSTREAM_ENCRYPTION_KEY")) bad.push(`${id}: HOOKSTREAM_ENCRYPTION_KEY secret reference ${spec.encryption ? "missing" : "not needed"}`);
    if (spec.encryption && secretRef("HOOKSTREAM_ENCRYPTION_KEY")?.optional) bad.push(`${id}: HOOKSTREAM_ENCRYPTION_KEY must be a required secret reference`);
    if (spec.encryption && secretRef("HOOKSTREAM_ENCRYPTION_KEY_PREVIOUS")?.optional !== true) bad.push(`${id}: HOOKSTREAM_ENCRYPTION_KEY_PREVIOUS must be an optional secret reference`);
    const hasWebhookSecrets = (c.envFrom ?? []).some((e) => e.secretRef);
    if (spec.webhookSecrets !== hasWebhookSecrets) bad.push(`${id}: webhook secrets envFrom ${spec.webhookSecrets ? "missing" : "not needed"}`);
  }

  for (const s of byKind(objects, "Service")) {
    const targets = deployments.filter((d) => matches(s.spec.selector, d.spec.template.metadata.labels));
    if (targets.length !== 1) bad.push(`Service/${s.metadata.name} selects ${targets.length} Deployments`);
    for (const p of s.spec.ports ?? []) {
      const named = targets[0] && mainContainer(targets[0]).ports?.some((cp) => cp.name === p.targetPort || cp.containerPort === p.targetPort);
      if (targets[0] && !named) bad.push(`Service/${s.metadata.name}: targetPort ${p.targetPort} is not a container port`);
    }
  }
  for (const p of byKind(objects, "PodDisruptionBudget"))
    if (!deployments.some((d) => matches(p.spec.selector?.matchLabels, d.spec.template.metadata.labels))) bad.push(`PodDisruptionBudget/${p.metadata.name} selects no Deployment`);
  for (const h of byKind(objects, "HorizontalPodAutoscaler")) {
    const target = deployments.find((d) => d.metadata.name === h.spec.scaleTargetRef?.name && h.spec.scaleTargetRef?.kind === "Deployment");
    if (!target) bad.push(`HorizontalPodAutoscaler/${h.metadata.name} targets no Deployment`);
    else if (target.spec.replicas !== undefined) bad.push(`Deployment/${target.metadata.name} sets replicas although an HPA owns them`);
    if (!(h.spec.minReplicas <= h.spec.maxReplicas)) bad.push(`HorizontalPodAutoscaler/${h.metadata.name}: minReplicas > maxReplicas`);
  }
  for (const n of byKind(objects, "NetworkPolicy")) {
    const target = deployments.find((d) => matches(n.spec.podSelector?.matchLabels, d.spec.template.metadata.labels));
    if (!target) {
      bad.push(`NetworkPolicy/${n.metadata.name} selects no Deployment`);
      continue;
    }
    if (componentOf(target) === "ingress") continue;
    // Admin ports: every allowed peer must be a pod selector (in-cluster), never an IP block.
    for (const rule of n.spec.ingress ?? []) {
      const from = (rule.from ?? []) as Record<string, unknown>[];
      if (!from.length) bad.push(`NetworkPolicy/${n.metadata.name} admits any source to an admin port`);
      if (from.some((f) => "ipBlock" in f)) bad.push(`NetworkPolicy/${n.metadata.name} admits an IP block to an admin port`);
    }
  }
  return bad;
}

/** Nothing secret in any ConfigMap: neither a secret-looking key nor a credential-looking value. */
export function configMapProblems(objects: K8sObject[]): string[] {
  const bad: string[] = [];
  for (const cm of byKind(objects, "ConfigMap"))
    for (const [k, v] of Object.entries(cm.data ?? {})) {
      if (SECRETISH.test(k)) bad.push(`ConfigMap/${cm.metadata.name}: key ${k} looks secret`);
      if (/[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^@\s]+@/i.test(v)) bad.push(`ConfigMap/${cm.metadata.name}: ${k} holds a URL with a password`);
      if (/whsec_|-----BEGIN|SUA[A-Z0-9]{20,}/.test(v)) bad.push(`ConfigMap/${cm.metadata.name}: ${k} holds key material`);
    }
  return bad;
}
