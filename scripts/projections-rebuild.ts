import { runRebuild } from "../services/dlq-manager/src/projection/rebuild";
import { loadRebuildConfig } from "../services/dlq-manager/src/projection/rebuild.config";

/** `npm run projections:rebuild`: background_jobs emptied and projected again from JOBS, JOB_EVENTS and ADVISORIES. */
Promise.resolve()
  .then(() => runRebuild(loadRebuildConfig()))
  .then((read) => {
    for (const [stream, n] of Object.entries(read)) console.log(`[projections] ${stream}: ${n} messages projected`);
    console.log("[projections] background_jobs rebuilt");
  })
  .catch((e: Error) => {
    console.error(`[projections] rebuild failed: ${e.message}`);
    process.exit(1);
  });
