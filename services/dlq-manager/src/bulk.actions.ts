import { Inject, Injectable } from "@nestjs/common";
import { type AuditAction, AuditLog } from "./audit.log";
import { DLQ_CONFIG, type DlqConfig } from "./config";
import { type OperationSpec, Operations } from "./operations";

export type BulkResult = { dryRun: true; matched: number } | { operationId: string; matched: number; rate: number; status: "running" };

export interface BulkAction<T> extends Pick<OperationSpec<T>, "kind" | "page" | "handle"> {
  actor: string;
  action: AuditAction;
  filter: object;
  matched: number;
  dryRun: boolean;
  /** Items per second asked for; never above DLQ_REPLAY_RATE. */
  rate?: number;
  /** Kept with the operation, in the audit log and in the answer (e.g. a replay id). */
  extra?: Record<string, string>;
}

/** A bulk replay as the admin API runs it: a dry run only counts; either way the audit log records it. */
@Injectable()
export class BulkActions {
  constructor(
    @Inject(DLQ_CONFIG) private readonly config: DlqConfig,
    private readonly operations: Operations,
    private readonly audit: AuditLog,
  ) {}

  async run<T>(a: BulkAction<T>): Promise<BulkResult> {
    const { actor, action, filter, matched, extra } = a;
    if (a.dryRun) {
      await this.audit.record({ actor, action, outcome: "dry_run", details: { filter, matched } });
      return { dryRun: true, matched };
    }
    const rate = Math.min(a.rate ?? this.config.replayRate, this.config.replayRate);
    const operationId = await this.operations.start({ kind: a.kind, requestedBy: actor, filter: { ...filter, ...extra }, rate, total: matched, page: a.page, handle: a.handle });
    await this.audit.record({ actor, action, operationId, outcome: "accepted", details: { filter, matched, rate, ...extra } });
    return { operationId, matched, rate, status: "running", ...extra };
  }
}
