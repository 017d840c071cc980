import { Controller, Get, Query, UseGuards } from "@nestjs/common";
import { z } from "zod";
import { AdminGuard, ReadOnly, ZodPipe } from "@hookstream/platform";
import { BreakerStateReader } from "./breaker-state.reader";
import { DeadLetterStore } from "./dead-letter.store";
import { OverviewFigures } from "./overview.figures";

const overviewQuery = z.object({ minutes: z.coerce.number().int().min(5).max(24 * 60).default(60) });

/** The console's first page: traffic, outcomes, the dead-letter backlog and open circuit breakers. */
@Controller("admin")
@UseGuards(AdminGuard)
export class OverviewController {
  constructor(
    private readonly figures: OverviewFigures,
    private readonly store: DeadLetterStore,
    private readonly breakers: BreakerStateReader,
  ) {}

  @Get("overview")
  @ReadOnly()
  async overview(@Query(new ZodPipe(overviewQuery)) q: z.infer<typeof overviewQuery>) {
    const [webhooks, jobs, dlq, circuitBreakers] = await Promise.all([
      this.figures.webhooks(q.minutes),
      this.figures.jobs(q.minutes),
      this.store.stats(),
      // Breakers are a part of the picture: without the bucket the rest still answers, saying what is missing.
      this.breakers.list().catch((e: Error) => ({ items: [], truncated: false, error: e.message })),
    ]);
    return {
      minutes: q.minutes,
      webhooksPerMinute: webhooks,
      jobsPerMinute: jobs,
      dlq: { pending: dlq.byStatus.pending, failed: dlq.byStatus.failed, needsManualIntervention: dlq.needsManualIntervention, oldestPendingAt: dlq.oldestPendingAt, oldestPendingAgeSeconds: dlq.oldestPendingAgeSeconds },
      circuitBreakers,
    };
  }
}
