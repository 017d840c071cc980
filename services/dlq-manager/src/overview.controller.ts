import { Controller, Get, Query, UseGuards } from "@nestjs/common";
import { z } from "zod";
import { BoundedCache } from "@hookstream/collections";
import { AdminGuard, ReadOnly, ZodPipe } from "@hookstream/platform";
import { BreakerStateReader } from "./breaker-state.reader";
import { DeadLetterStore } from "./dead-letter.store";
import { OverviewFigures } from "./overview.figures";

const overviewQuery = z.object({ minutes: z.coerce.number().int().min(5).max(24 * 60).default(60) });

/**
 * Every open console polls the overview, whose queries grow with the traffic in its window: one computation per
 * window serves them all for a few seconds.
 */
const CACHE_MS = 5000;
const CACHED_WINDOWS = 8;

/** The console's first page: traffic, outcomes, the dead-letter backlog and open circuit breakers. */
@Controller("admin")
@UseGuards(AdminGuard)
export class OverviewController {
  private readonly cache = new BoundedCache<number, ReturnType<OverviewController["compute"]>>(CACHED_WINDOWS, CACHE_MS);

  constructor(
    private readonly figures: OverviewFigures,
    private readonly store: DeadLetterStore,
    private readonly breakers: BreakerStateReader,
  ) {}

  @Get("overview")
  @ReadOnly()
  overview(@Query(new ZodPipe(overviewQuery)) q: z.infer<typeof overviewQuery>) {
    let figures = this.cache.get(q.minutes);
    if (!figures) {
      figures = this.compute(q.minutes);
      this.cache.set(q.minutes, figures);
      figures.catch(() => this.cache.delete(q.minutes));
    }
    return figures;
  }

  private async compute(minutes: number) {
    const [webhooks, jobs, dlq, circuitBreakers] = await Promise.all([
      this.figures.webhooks(minutes),
      this.figures.jobs(minutes),
      this.store.stats(),
      // Breakers are a part of the picture: without the bucket the rest still answers, saying what is missing.
      this.breakers.list().catch((e: Error) => ({ items: [], truncated: false, error: e.message })),
    ]);
    return {
      minutes,
      webhooksPerMinute: webhooks,
      jobsPerMinute: jobs,
      dlq: { pending: dlq.byStatus.pending, failed: dlq.byStatus.failed, needsManualIntervention: dlq.needsManualIntervention, oldestPendingAt: dlq.oldestPendingAt, oldestPendingAgeSeconds: dlq.oldestPendingAgeSeconds },
      circuitBreakers,
    };
  }
}
