// Summarises a V8 .cpuprofile: where the samples' self time goes, by package and by function, and which of
// Hookstream's own frames (nearest dist/ ancestor) the time is spent under.
import { readFileSync } from "node:fs";

function category(url, fn) {
  if (!url) return fn.startsWith("(") ? fn : "(native/V8)";
  if (url.includes("/node_modules/")) {
    const m = /\/node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url.slice(url.lastIndexOf("/node_modules/")));
    return m ? m[1] : "node_modules";
  }
  if (url.includes("undici")) return "undici (Node's fetch)";
  if (url.startsWith("node:")) {
    const parts = url.replace(/^node:(internal\/)?/, "").split("/");
    return `node:${parts[0] === "deps" ? parts[1] : parts[0]}`;
  }
  const dist = /\/dist\/((?:services|libs)\/[^/]+)/.exec(url);
  if (dist) return `hookstream ${dist[1]}`;
  return url.replace(/^file:\/\//, "");
}

const short = (url) => url.replace(/^file:\/\//, "").replace(/.*\/(node_modules|dist)\//, "$1/");

export function summarizeProfile(file, top = 10) {
  const profile = JSON.parse(readFileSync(file, "utf8"));
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const totalUs = [...self.values()].reduce((a, b) => a + b, 0);
  const idleUs = [...self].filter(([id]) => nodes.get(id).callFrame.functionName === "(idle)").reduce((a, [, us]) => a + us, 0);
  const busyUs = totalUs - idleUs;
  const byCategory = new Map();
  const byFunction = new Map();
  const underHookstream = new Map();
  for (const [id, us] of self) {
    const { functionName, url, lineNumber } = nodes.get(id).callFrame;
    if (functionName === "(idle)") continue;
    // Native frames (writev, writeBuffer, crypto…) are charged to the package whose JS called them, past
    // Node's own modules: "writev ← pg" is a socket write that pg asked for.
    let cat = category(url, functionName);
    if (!url && !functionName.startsWith("(")) {
      let caller = "";
      for (let a = parent.get(id); a !== undefined; a = parent.get(a)) {
        const f = nodes.get(a).callFrame;
        if (!f.url) continue;
        caller ||= category(f.url, f.functionName);
        if (!f.url.startsWith("node:") || f.url.includes("undici")) {
          caller = category(f.url, f.functionName);
          break;
        }
      }
      cat = `${functionName} ← ${caller || "?"}`;
    }
    byCategory.set(cat, (byCategory.get(cat) ?? 0) + us);
    const fn = `${functionName || "(anonymous)"} ${url ? `${short(url)}:${lineNumber + 1}` : ""}`.trim();
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + us);
    let a = id;
    let owner = "(no Hookstream frame on the stack)";
    while (a !== undefined) {
      const f = nodes.get(a).callFrame;
      if (/\/dist\/(services|libs)\//.test(f.url)) {
        owner = `${f.functionName || "(anonymous)"} ${short(f.url)}`;
        break;
      }
      a = parent.get(a);
    }
    underHookstream.set(owner, (underHookstream.get(owner) ?? 0) + us);
  }
  // Coarser groups: what a reader wants to know first.
  const groups = new Map();
  for (const [cat, us] of byCategory) {
    const g = /^(writev|writeBuffer|writeUtf8String|writeLatin1String) ← /.test(cat) ? `socket writes (${cat.split(" ← ")[1]})`
      : cat.startsWith("@opentelemetry/") ? "OpenTelemetry (all packages)"
      : cat.startsWith("@nats-io/") ? "NATS client (@nats-io/*)"
      : /^(pg|pg-[a-z]+|typeorm)$/.test(cat) ? "PostgreSQL client (pg, typeorm)"
      : /undici|webstreams/.test(cat) ? "fetch (undici, web streams)"
      : cat.startsWith("@nestjs/") ? "NestJS"
      : cat === "(garbage collector)" ? "garbage collector"
      : cat.startsWith("hookstream ") ? "Hookstream's own code"
      : cat.includes("inspector") ? "profiler itself (node:inspector)"
      : cat === "node:crypto" || cat.endsWith("← node:crypto") || /^(init|update|digest) ← /.test(cat) ? "crypto (HMAC)"
      : cat.startsWith("node:") || cat.includes(" ← node:") ? "Node core (streams, net, http, events, timers)"
      : /^\((program|native\/V8)\)$/.test(cat) || cat.startsWith("runMicrotasks") ? "V8 (program, microtasks)"
      : `other: ${cat}`;
    groups.set(g, (groups.get(g) ?? 0) + us);
  }
  const rank = (m) => [...m].sort((x, y) => y[1] - x[1]).slice(0, top).map(([k, us]) => ({ name: k, ms: us / 1000, pct: (100 * us) / busyUs }));
  return { wallMs: totalUs / 1000, busyMs: busyUs / 1000, groups: rank(groups), byCategory: rank(byCategory), byFunction: rank(byFunction), underHookstream: rank(underHookstream) };
}

export function printProfile(name, s) {
  const lines = [`  ${name}: ${s.busyMs.toFixed(0)} ms on CPU of ${s.wallMs.toFixed(0)} ms profiled (${((100 * s.busyMs) / s.wallMs).toFixed(0)}%)`];
  for (const [title, list] of [["CPU by group", s.groups], ["self time by package (native code charged to its JS caller)", s.byCategory], ["self time by function", s.byFunction], ["CPU under Hookstream frames (nearest dist/ caller)", s.underHookstream]]) {
    lines.push(`    ${title}:`);
    for (const r of list) lines.push(`      ${r.pct.toFixed(1).padStart(5)}%  ${r.ms.toFixed(0).padStart(6)} ms  ${r.name}`);
  }
  console.log(lines.join("\n"));
}
