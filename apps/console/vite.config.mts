import { defineConfig } from "vite";

// Served by the DLQ manager at /console (services/dlq-manager/src/console.controller.ts) under a CSP that allows
// only its own files: no inline script, no module-preload polyfill, no inlined assets.
export default defineConfig({
  root: import.meta.dirname,
  base: "/console/",
  oxc: { jsx: { runtime: "automatic" } },
  build: {
    target: "es2022",
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    sourcemap: false,
    emptyOutDir: true,
    reportCompressedSize: false,
  },
  logLevel: "warn",
});
