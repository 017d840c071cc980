// Validates Kubernetes objects (a JSON array on stdin) against the built-in API schemas shipped by the
// `kubernetes-models` package; prints one JSON result per object. A separate ESM process because that
// package is ESM-only and jest runs the tests as CommonJS.
import { readFileSync } from "node:fs";

const objects = JSON.parse(readFileSync(0, "utf8"));
const results = [];
for (const obj of objects) {
  const { apiVersion = "", kind = "" } = obj ?? {};
  const name = obj?.metadata?.name ?? "";
  let Model;
  try {
    // "v1" is the core group; "apps/v1" and "networking.k8s.io/v1" map to the same-named subpaths.
    Model = (await import(`kubernetes-models/${apiVersion}`))[kind];
  } catch {
    Model = undefined;
  }
  if (typeof Model !== "function") {
    results.push({ apiVersion, kind, name, known: false, errors: [] });
    continue;
  }
  try {
    new Model(obj).validate();
    results.push({ apiVersion, kind, name, known: true, errors: [] });
  } catch (e) {
    const errors = (e.errors ?? [{ instancePath: "", message: e.message }]).map((x) => `${x.instancePath || "/"} ${x.message ?? x.keyword}`);
    results.push({ apiVersion, kind, name, known: true, errors });
  }
}
process.stdout.write(JSON.stringify(results));
