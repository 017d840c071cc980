{{/* Names and labels. */}}
{{- define "hookstream.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "hookstream.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "hookstream.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
app.kubernetes.io/name: {{ include "hookstream.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: hookstream
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{- define "hookstream.selectorLabels" -}}
app.kubernetes.io/name: {{ include "hookstream.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/*
The four services, in a fixed order. `key` is the block under .Values.services; the rest are facts of the
code (port variable, which secrets it reads), not settings.
*/}}
{{- define "hookstream.components" -}}
- key: ingress
  name: ingress
  portEnv: INGRESS_PORT
  database: false
  admin: false
  encryption: false
  webhookSecrets: true
- key: router
  name: router
  portEnv: ROUTER_PORT
  database: true
  admin: true
  encryption: true
  webhookSecrets: false
- key: workspaceWorker
  name: workspace-worker
  portEnv: WORKER_PORT
  database: true
  admin: false
  encryption: true
  webhookSecrets: false
- key: dlqManager
  name: dlq-manager
  portEnv: DLQ_PORT
  database: true
  admin: true
  encryption: true
  webhookSecrets: false
{{- end }}

{{/* Usage: include "hookstream.componentName" (list $ "router") */}}
{{- define "hookstream.componentName" -}}
{{- $root := index . 0 }}
{{- printf "%s-%s" (include "hookstream.fullname" $root | trunc 45 | trimSuffix "-") (index . 1) }}
{{- end }}

{{- define "hookstream.componentSelectorLabels" -}}
{{ include "hookstream.selectorLabels" (index . 0) }}
app.kubernetes.io/component: {{ index . 1 }}
{{- end }}

{{- define "hookstream.componentLabels" -}}
{{ include "hookstream.labels" (index . 0) }}
app.kubernetes.io/component: {{ index . 1 }}
{{- end }}

{{- define "hookstream.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "hookstream.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create=false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "hookstream.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{/* The bundled NATS chart's Service name (its own fullname rule). */}}
{{- define "hookstream.natsFullname" -}}
{{- if .Values.nats.fullnameOverride }}
{{- .Values.nats.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default "nats" .Values.nats.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "hookstream.natsUrl" -}}
{{- if .Values.nats.enabled }}
{{- printf "nats://%s.%s.svc:4222" (include "hookstream.natsFullname" .) .Release.Namespace }}
{{- else }}
{{- .Values.externalNats.url }}
{{- end }}
{{- end }}

{{/* TLS and credentials only apply to an external NATS; the bundled one is plain in-cluster. */}}
{{- define "hookstream.natsTls" -}}
{{- if and (not .Values.nats.enabled) .Values.externalNats.tls.enabled }}true{{ end }}
{{- end }}
{{- define "hookstream.natsCreds" -}}
{{- if and (not .Values.nats.enabled) .Values.externalNats.credentials.existingSecret }}true{{ end }}
{{- end }}

{{/*
Non-secret configuration, as NAME: "value" lines. The ConfigMap renders it for the Deployments and the hook
Job gets it inline, because a pre-install hook runs before the release's ConfigMap exists.
*/}}
{{- define "hookstream.configData" -}}
{{- $s := .Values.streams -}}
NATS_URL: {{ include "hookstream.natsUrl" . | quote }}
LOG_LEVEL: {{ .Values.config.logLevel | quote }}
SHUTDOWN_GRACE: {{ printf "%ds" (int64 .Values.config.shutdownGraceSeconds) | quote }}
WEBHOOK_MAX_BODY_BYTES: {{ int64 .Values.config.webhookMaxBodyBytes | quote }}
WORKER_CONCURRENCY: {{ int64 .Values.config.workerConcurrency | quote }}
{{- with .Values.config.workspaceConcurrency }}
WORKSPACE_CONCURRENCY: {{ int64 . | quote }}
{{- end }}
{{- with .Values.config.deliveryConcurrency }}
DELIVERY_CONCURRENCY: {{ int64 . | quote }}
{{- end }}
{{- with .Values.config.jobHandlersDisabled }}
JOB_HANDLERS_DISABLED: {{ join "," . | quote }}
{{- end }}
DELIVERY_TIMEOUT: {{ .Values.config.deliveryTimeout | quote }}
BREAKER_FAILURES: {{ int64 .Values.config.breaker.failures | quote }}
BREAKER_OPEN_FOR: {{ .Values.config.breaker.openFor | quote }}
BREAKER_MAX_OPEN: {{ .Values.config.breaker.maxOpen | quote }}
{{- with .Values.config.dlq }}
DLQ_RETRIES: {{ int64 .retries | quote }}
DLQ_RETRY_FIRST: {{ .retryFirst | quote }}
DLQ_RETRY_LAST: {{ .retryLast | quote }}
DLQ_RECOVERY_INTERVAL: {{ .recoveryInterval | quote }}
DLQ_RECOVERY_BATCH: {{ int64 .recoveryBatch | quote }}
DLQ_REPLAY_RATE: {{ int64 .replayRate | quote }}
{{- end }}
{{- with .Values.config.retention }}
RETENTION_INTERVAL: {{ .interval | quote }}
RETENTION_BATCH_SIZE: {{ int64 .batchSize | quote }}
RETENTION_BATCH_PAUSE: {{ .batchPause | quote }}
RETENTION_COMPLETED_JOBS_AGE: {{ .completedJobs | quote }}
RETENTION_ACTIVITY_AGE: {{ .activity | quote }}
RETENTION_CLOSED_DEAD_LETTERS_AGE: {{ .closedDeadLetters | quote }}
RETENTION_AUDIT_LOG_AGE: {{ .auditLog | quote }}
RETENTION_ROUTED_EVENTS_AGE: {{ .routedEvents | quote }}
{{- end }}
STREAM_REPLICAS: {{ int64 $s.replicas | quote }}
WEBHOOKS_MAX_AGE: {{ $s.webhooks.maxAge | quote }}
WEBHOOKS_MAX_BYTES: {{ int64 $s.webhooks.maxBytes | quote }}
JOBS_MAX_AGE: {{ $s.jobs.maxAge | quote }}
JOBS_MAX_BYTES: {{ int64 $s.jobs.maxBytes | quote }}
JOB_EVENTS_MAX_AGE: {{ $s.jobEvents.maxAge | quote }}
JOB_EVENTS_MAX_BYTES: {{ int64 $s.jobEvents.maxBytes | quote }}
ADVISORIES_MAX_AGE: {{ $s.advisories.maxAge | quote }}
ADVISORIES_MAX_BYTES: {{ int64 $s.advisories.maxBytes | quote }}
JOB_MAX_DELIVER: {{ int64 $s.jobs.maxDeliver | quote }}
JOB_BACKOFF: {{ $s.jobs.backoff | quote }}
JOB_MAX_ACK_PENDING: {{ int64 $s.jobs.maxAckPending | quote }}
ROUTER_MAX_DELIVER: {{ int64 $s.routing.maxDeliver | quote }}
ROUTER_BACKOFF: {{ $s.routing.backoff | quote }}
ROUTER_MAX_ACK_PENDING: {{ int64 $s.routing.maxAckPending | quote }}
OTEL_EXPORTER_OTLP_PROTOCOL: {{ .Values.otel.protocol | quote }}
OTEL_TRACES_SAMPLER: {{ .Values.otel.tracesSampler | quote }}
{{- with .Values.otel.tracesSamplerArg }}
OTEL_TRACES_SAMPLER_ARG: {{ . | quote }}
{{- end }}
{{- with .Values.otel.endpoint }}
OTEL_EXPORTER_OTLP_ENDPOINT: {{ . | quote }}
{{- end }}
{{- if include "hookstream.natsCreds" . }}
NATS_CREDS_FILE: {{ printf "/etc/hookstream/nats/creds/%s" .Values.externalNats.credentials.key | quote }}
{{- end }}
{{- if include "hookstream.natsTls" . }}
NATS_TLS_CA_FILE: {{ printf "/etc/hookstream/nats/tls/%s" .Values.externalNats.tls.caKey | quote }}
{{- if .Values.externalNats.tls.certKey }}
NATS_TLS_CERT_FILE: {{ printf "/etc/hookstream/nats/tls/%s" .Values.externalNats.tls.certKey | quote }}
NATS_TLS_KEY_FILE: {{ printf "/etc/hookstream/nats/tls/%s" .Values.externalNats.tls.keyKey | quote }}
{{- end }}
{{- end }}
{{- range $k, $v := .Values.config.extraEnv }}
{{ $k }}: {{ $v | toString | quote }}
{{- end }}
{{- end }}

{{/* Refuses variable names that look secret: they belong in a Secret, referenced, never in values. */}}
{{- define "hookstream.assertNotSecret" -}}
{{- $where := index . 0 }}
{{- range $k, $_ := index . 1 }}
{{- if regexMatch "(?i)(secret|token|password|passwd|credential|private|api_?key|_key$|headers)" $k }}
{{- fail (printf "%s.%s looks like a secret: put it in a Secret and reference it with services.<name>.extraEnvFrom" $where $k) }}
{{- end }}
{{- end }}
{{- end }}

{{/* Environment from Secrets, by reference only. Usage: include "hookstream.secretEnv" (list $ $component) */}}
{{- define "hookstream.secretEnv" -}}
{{- $root := index . 0 }}
{{- $c := index . 1 }}
{{- if $c.database }}
- name: DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ $root.Values.database.existingSecret }}
      key: {{ $root.Values.database.urlKey }}
{{- end }}
{{- if $c.admin }}
- name: ADMIN_TOKEN
  valueFrom:
    secretKeyRef:
      name: {{ $root.Values.secrets.admin.existingSecret }}
      key: {{ $root.Values.secrets.admin.tokenKey }}
- name: ADMIN_READ_TOKEN
  valueFrom:
    secretKeyRef:
      name: {{ $root.Values.secrets.admin.existingSecret }}
      key: {{ $root.Values.secrets.admin.readTokenKey }}
      optional: true
{{- end }}
{{- if $c.encryption }}
- name: HOOKSTREAM_ENCRYPTION_KEY
  valueFrom:
    secretKeyRef:
      name: {{ $root.Values.secrets.encryption.existingSecret }}
      key: {{ $root.Values.secrets.encryption.keyKey }}
- name: HOOKSTREAM_ENCRYPTION_KEY_PREVIOUS
  valueFrom:
    secretKeyRef:
      name: {{ $root.Values.secrets.encryption.existingSecret }}
      key: {{ $root.Values.secrets.encryption.previousKeyKey }}
      optional: true
{{- end }}
{{- end }}

{{- define "hookstream.natsVolumeMounts" -}}
{{- if include "hookstream.natsCreds" . }}
- name: nats-creds
  mountPath: /etc/hookstream/nats/creds
  readOnly: true
{{- end }}
{{- if include "hookstream.natsTls" . }}
- name: nats-tls
  mountPath: /etc/hookstream/nats/tls
  readOnly: true
{{- end }}
{{- end }}

{{- define "hookstream.natsVolumes" -}}
{{- if include "hookstream.natsCreds" . }}
- name: nats-creds
  secret:
    secretName: {{ .Values.externalNats.credentials.existingSecret }}
    defaultMode: 0440
{{- end }}
{{- if include "hookstream.natsTls" . }}
- name: nats-tls
  secret:
    secretName: {{ required "externalNats.tls.existingSecret is required when externalNats.tls.enabled" .Values.externalNats.tls.existingSecret }}
    defaultMode: 0440
{{- end }}
{{- end }}

{{/* The "restricted" Pod Security Standard; not configurable on purpose. */}}
{{- define "hookstream.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ int64 .Values.podSecurityContext.runAsUser }}
runAsGroup: {{ int64 .Values.podSecurityContext.runAsGroup }}
fsGroup: {{ int64 .Values.podSecurityContext.fsGroup }}
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{- define "hookstream.containerSecurityContext" -}}
runAsNonRoot: true
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
privileged: false
capabilities:
  drop: ["ALL"]
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{/* Cross-field checks the JSON schema cannot express. */}}
{{- define "hookstream.validate" -}}
{{- include "hookstream.assertNotSecret" (list "config.extraEnv" .Values.config.extraEnv) }}
{{- range $name, $svc := .Values.services }}
{{- include "hookstream.assertNotSecret" (list (printf "services.%s.env" $name) $svc.env) }}
{{- end }}
{{- range $name, $sched := dict "jobs" .Values.streams.jobs "routing" .Values.streams.routing }}
{{- $n := len (splitList "," $sched.backoff) }}
{{- if le (int64 $sched.maxDeliver) (int64 $n) }}
{{- fail (printf "streams.%s.maxDeliver (%d) must exceed the number of streams.%s.backoff values (%d): nats-server refuses the consumer otherwise" $name (int64 $sched.maxDeliver) $name $n) }}
{{- end }}
{{- end }}
{{- if and .Values.externalNats.tls.certKey (not .Values.externalNats.tls.keyKey) }}
{{- fail "externalNats.tls.keyKey is required with externalNats.tls.certKey" }}
{{- end }}
{{- $w := .Values.services.workspaceWorker }}
{{- if and $w.keda.enabled (not .Values.nats.enabled) (not $w.keda.natsServerMonitoringEndpoint) }}
{{- fail "services.workspaceWorker.keda.natsServerMonitoringEndpoint is required with an external NATS (host:8222)" }}
{{- end }}
{{- end }}

{{/* OTEL_RESOURCE_ATTRIBUTES; $(POD_*) are expanded by the kubelet from the variables defined before it. */}}
{{- define "hookstream.resourceAttributes" -}}
{{- $root := index . 0 }}
{{- $attrs := list "service.namespace=hookstream" (printf "service.version=%s" $root.Chart.AppVersion) "k8s.namespace.name=$(POD_NAMESPACE)" "k8s.pod.name=$(POD_NAME)" (printf "k8s.deployment.name=%s" (index . 1)) }}
{{- range $k, $v := $root.Values.otel.resourceAttributes }}
{{- $attrs = append $attrs (printf "%s=%s" $k (toString $v)) }}
{{- end }}
{{- join "," $attrs }}
{{- end }}

{{/*
A duration as the services read it (`30d`, `12h`, `500ms`) in whole seconds, for NACK resources, which take Go
durations (no `d`). Usage: include "hookstream.durationSeconds" "30d"
*/}}
{{- define "hookstream.durationSeconds" -}}
{{- $m := regexFindAll "^([0-9]+)(ms|s|m|h|d)$" . 1 }}
{{- if not $m }}{{ fail (printf "%q is not a duration (ms, s, m, h, d)" .) }}{{ end }}
{{- $n := int64 (regexReplaceAll "[a-z]+$" . "") }}
{{- $unit := regexReplaceAll "^[0-9]+" . "" }}
{{- $scale := get (dict "ms" 0 "s" 1 "m" 60 "h" 3600 "d" 86400) $unit }}
{{- if eq $unit "ms" }}{{ div $n 1000 }}{{ else }}{{ mul $n $scale }}{{ end }}
{{- end }}
