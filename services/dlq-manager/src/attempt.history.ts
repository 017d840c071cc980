import { Inject, Injectable } from "@nestjs/common";
import type { JetStreamClient } from "@nats-io/jetstream";
import { HookstreamError, JobAttemptFailed, STREAMS, SUBJECTS } from "@hookstream/contracts";
import { JETSTREAM } from "@hookstream/jetstream";

/** A job cannot have more attempts than this worth reading (max_deliver is far smaller). */
const MAX_ATTEMPTS_READ = 1000;

/**
 * Reads one job's failed attempts from JOB_EVENTS (`job-events.*.*.<jobSeq>`) with short-lived ordered consumers;
 * also those recorded before the mode token, so a job failing across the upgrade keeps its earlier attempts.
 */
@Injectable()
export class AttemptHistory {
  constructor(@Inject(JETSTREAM) private readonly js: JetStreamClient) {}

  async of(jobSeq: number): Promise<JobAttemptFailed[]> {
    try {
      const reads = await Promise.all([this.read(SUBJECTS.jobEventsOf(jobSeq)), this.read(SUBJECTS.jobEventsBeforeModeOf(jobSeq))]);
      return reads.flat().sort((a, b) => a.attempt - b.attempt);
    } catch (e) {
      throw new HookstreamError("external_api", `reading attempts of job #${jobSeq}: ${(e as Error).message}`, { cause: e });
    }
  }

  private async read(filter: string): Promise<JobAttemptFailed[]> {
    const consumer = await this.js.consumers.get(STREAMS.jobEvents, { filter_subjects: filter });
    const { num_pending } = await consumer.info(true);
    const attempts: JobAttemptFailed[] = [];
    if (num_pending === 0) return attempts;
    const messages = await consumer.fetch({ max_messages: Math.min(num_pending, MAX_ATTEMPTS_READ), expires: 2000 });
    for await (const m of messages) {
      const parsed = JobAttemptFailed.safeParse(m.json());
      if (parsed.success) attempts.push(parsed.data);
      if (m.info.pending === 0) break;
    }
    return attempts;
  }
}
