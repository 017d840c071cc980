import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from "typeorm";
import type { ErrorCategory, Job } from "@hookstream/contracts";

export const DEAD_LETTER_STATUSES = ["pending", "retrying", "reprocessed", "resolved", "discarded", "failed"] as const;
export type DeadLetterStatus = (typeof DEAD_LETTER_STATUSES)[number];

export interface AttemptRecord {
  /** The JOBS sequence of the run this attempt belongs to: the original job, then each replay that failed too. */
  jobSeq?: number;
  attempt: number;
  category: ErrorCategory;
  message: string;
  status?: number;
  at: string;
  durationMs: number;
}

/** A job (or event) JetStream gave up on, with everything needed to understand and replay it. */
@Entity({ name: "dead_letter_queue" })
export class DeadLetter {
  @PrimaryGeneratedColumn("uuid")
  id!: string;

  @Column({ type: "text" })
  stream!: string;

  /** Null for an entry moved in by hand (`move_to_dead_letter_queue`). */
  @Column({ name: "stream_seq", type: "bigint", nullable: true })
  streamSeq!: string | null;

  @Column({ type: "text" })
  subject!: string;

  /** `max_deliveries`, `terminated` or `manual`. */
  @Column({ type: "text" })
  reason!: string;

  /** The original job's id; its replays (`<jobId>:replay:…`) fail into this same entry. */
  @Column({ name: "job_id", type: "text", nullable: true })
  jobId!: string | null;

  /** The original job envelope, replayed as is under a new id. */
  @Column({ type: "jsonb", nullable: true })
  job!: Job | null;

  @Column({ name: "event_id", type: "text", nullable: true })
  eventId!: string | null;

  @Column({ type: "text", nullable: true })
  source!: string | null;

  @Column({ name: "event_type", type: "text", nullable: true })
  eventType!: string | null;

  @Column({ name: "workspace_id", type: "text", nullable: true })
  workspaceId!: string | null;

  @Column({ name: "destination_url", type: "text", nullable: true })
  destinationUrl!: string | null;

  @Column({ name: "error_category", type: "text" })
  errorCategory!: ErrorCategory;

  @Column({ name: "error_message", type: "text", nullable: true })
  errorMessage!: string | null;

  @Column({ name: "delivery_count", type: "integer" })
  deliveryCount!: number;

  @Column({ type: "jsonb" })
  attempts!: AttemptRecord[];

  @Column({ type: "jsonb", nullable: true })
  payload!: unknown;

  @Column({ type: "jsonb" })
  headers!: Record<string, string>;

  @Column({ name: "trace_id", type: "text", nullable: true })
  traceId!: string | null;

  /** Stream sequences that failed into this entry: the original message, then each replay dead-lettered again. */
  @Column({ name: "failure_seqs", type: "bigint", array: true })
  failureSeqs!: string[];

  @Column({ type: "text" })
  status!: DeadLetterStatus;

  /** Automatic retries spent. */
  @Column({ name: "retry_count", type: "integer" })
  retryCount!: number;

  /** Replays published, automatic or not; numbers the next replay's message id. */
  @Column({ name: "replay_count", type: "integer" })
  replayCount!: number;

  @Column({ name: "next_retry_at", type: "timestamptz", nullable: true })
  nextRetryAt!: Date | null;

  @Column({ name: "needs_manual_intervention", type: "boolean" })
  needsManualIntervention!: boolean;

  @Column({ name: "reprocessed_at", type: "timestamptz", nullable: true })
  reprocessedAt!: Date | null;

  /** The token name of whoever resolved or discarded the entry. */
  @Column({ name: "resolved_by", type: "text", nullable: true })
  resolvedBy!: string | null;

  @Column({ name: "resolved_at", type: "timestamptz", nullable: true })
  resolvedAt!: Date | null;

  @Column({ name: "resolution_note", type: "text", nullable: true })
  resolutionNote!: string | null;

  @Column({ name: "first_failed_at", type: "timestamptz", nullable: true })
  firstFailedAt!: Date | null;

  @Column({ name: "last_failed_at", type: "timestamptz", nullable: true })
  lastFailedAt!: Date | null;

  @CreateDateColumn({ name: "created_at", type: "timestamptz" })
  createdAt!: Date;

  @UpdateDateColumn({ name: "updated_at", type: "timestamptz" })
  updatedAt!: Date;
}
