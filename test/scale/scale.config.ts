import { z } from "zod";

/**
 * The sizes of the scale scenarios: the test suite runs them small; `npm run fuzz` and `npm run scale` set these
 * variables for the full runs.
 */
const schema = z.object({
  FUZZ_REQUESTS: z.coerce.number().int().min(1).default(1500),
  /** Same seed, same requests: a failure names its seed and index. */
  FUZZ_SEED: z.coerce.number().int().default(20261127),
  FUZZ_CONCURRENCY: z.coerce.number().int().min(1).default(12),
  /** Growth of each service's resident memory from the end of the run's first quarter to its end that still passes. */
  FUZZ_MAX_RSS_GROWTH_MB: z.coerce.number().positive().default(96),
});

export const scaleConfig = schema.parse(process.env);
