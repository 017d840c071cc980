// Compiles services, libs and scripts to dist/ with swc (decorator metadata for NestJS, path aliases
// rewritten to relative requires), and bundles the web console (apps/console) with Vite into dist/console/, which
// the DLQ manager serves. Type checking is `npm run typecheck`; this only emits.
import { transformFile } from "@swc/core";
import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
// `--out DIR` (inside the repository, so node_modules resolve): tests build a private copy.
const outArg = process.argv.indexOf("--out");
const out = outArg > 0 ? resolve(root, process.argv[outArg + 1]) : join(root, "dist");

async function* sources(dir) {
  for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* sources(path);
    else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts") && !/\.(int-)?spec\.ts$/.test(entry.name)) yield path;
  }
}

export async function build() {
  const started = Date.now();
  const swcrc = JSON.parse(await readFile(join(root, ".swcrc"), "utf8"));
  const { compilerOptions } = JSON.parse(await readFile(join(root, "tsconfig.base.json"), "utf8"));
  await rm(out, { recursive: true, force: true });
  const roots = ["services", "libs", "scripts"];
  let count = 0;
  for (const top of roots) {
    for await (const file of sources(join(root, top))) {
      const { code, map } = await transformFile(file, {
        ...swcrc,
        swcrc: false,
        filename: file,
        sourceMaps: true,
        jsc: { ...swcrc.jsc, baseUrl: root, paths: compilerOptions.paths },
      });
      const target = join(out, relative(root, file)).replace(/\.ts$/, ".js");
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, `${code}\n//# sourceMappingURL=${target.split("/").pop()}.map\n`);
      if (map) await writeFile(`${target}.map`, map);
      count++;
    }
  }
  console.log(`[build] ${count} files compiled to ${relative(root, out)}/ in ${Date.now() - started} ms`);
  await buildConsole(join(out, "console"));
}

/** The console's static bundle: index.html and content-hashed assets, nothing loaded from elsewhere. */
async function buildConsole(outDir) {
  const started = Date.now();
  const { build: viteBuild } = await import("vite");
  // Vite bundles React's development build when NODE_ENV says so (jest sets "test" when tests build): never ship it.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = "production";
  try {
    await viteBuild({ configFile: join(root, "apps/console/vite.config.mts"), mode: "production", build: { outDir } });
  } finally {
    if (nodeEnv === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = nodeEnv;
  }
  console.log(`[build] console bundled to ${relative(root, outDir)}/ in ${Date.now() - started} ms`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  build().catch((e) => {
    console.error(`[build] failed: ${e.message}`);
    process.exit(1);
  });
}
