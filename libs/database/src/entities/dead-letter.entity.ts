import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from "typeorm";
import type { ErrorCategory } from "@hookstream/contracts";

export interface AttemptRecord {
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

  @Column({ name: "stream_seq", type: "bigint" })
  streamSeq!: string;

  @Column({ type: "text" })
  subject!: string;

  /** `max_deliveries` or `terminated`. */
  @Column({ type: "text" })
  reason!: string;

  @Column({ name: "job_id", type: "text", nullable: true })
  jobId!: string | null;

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

  @Column({ type: "text" })
  status!: string;

  @Column({ name: "first_failed_at", type: "timestamptz", nullable: true })
  firstFailedAt!: Date | null;

  @Column({ name: "last_failed_at", type: "timestamptz", nullable: true })
  lastFailedAt!: Date | null;

  @CreateDateColumn({ name: "created_at", type: "timestamptz" })
  createdAt!: Date;

  @UpdateDateColumn({ name: "updated_at", type: "timestamptz" })
  updatedAt!: Date;
}
