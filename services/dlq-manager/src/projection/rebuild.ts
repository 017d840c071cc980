import { type JetStreamClient, type JetStreamManager, type JsMsg, jetstream, jetstreamManager } from "@nats-io/jetstream";
import { DataSource } from "typeorm";
import { type ConsumerSpec, projectorAdvisoriesConsumer, projectorEventsConsumer, projectorJobsConsumer } from "@hookstream/contracts";
import { dataSourceOptions } from "@hookstream/database";
import { connectNats } from "@hookstream/jetstream";
import { PROJECTION_BATCH_ROWS } from "./job-projection";
import { JobProjectionStore } from "./job-projection.store";
import { advisoryRow, jobEventRow, type JobRow, queuedRow } from "./job-row";
import type { RebuildConfig } from "./rebuild.config";

const FETCH_EXPIRES_MS = 2000;

/** As the transport hands a body to its handler: parsed JSON, or the text of what is not JSON. */
function body(m: JsMsg): unknown {
  try {
    return m.json();
  } catch {
    return m.string();
  }
}

/** Each stream's messages as the live projector reads them: same filters, same transitions. */
const SOURCES: [ConsumerSpec, (m: JsMsg) => JobRow | null][] = [
  [projectorJobsConsumer(), (m) => queuedRow(m.seq, m.time, body(m))],
  [projectorEventsConsumer(), (m) => jobEventRow(body(m))],
  [projectorAdvisoriesConsumer(), (m) => advisoryRow(body(m))],
];

/** Messages read per stream. */
export type RebuildReport = Record<string, number>;

/**
 * Empties background_jobs and projects JOBS, JOB_EVENTS and ADVISORIES again from their first message. The live
 * projector may keep running: rows merge the same whoever writes them, and what is stored after the table was
 * emptied reaches the live projector, so each stream is read only up to its last message at that moment.
 * Jobs older than the streams' retention are not in them any more, and are gone from the projection too.
 */
export async function rebuildJobProjection(js: JetStreamClient, jsm: JetStreamManager, store: JobProjectionStore): Promise<RebuildReport> {
  await store.clear();
  const report: RebuildReport = {};
  for (const [spec, toRow] of SOURCES) report[spec.stream] = await replay(js, jsm, spec, toRow, store);
  return report;
}

async function replay(js: JetStreamClient, jsm: JetStreamManager, spec: ConsumerSpec, toRow: (m: JsMsg) => JobRow | null, store: JobProjectionStore): Promise<number> {
  const lastSeq = (await jsm.streams.info(spec.stream)).state.last_seq;
  const consumer = await js.consumers.get(spec.stream, { filter_subjects: spec.config.filter_subject! });
  if ((await consumer.info(true)).num_pending === 0) return 0;
  let read = 0;
  for (let done = false; !done; ) {
    const rows: JobRow[] = [];
    let fetched = 0;
    for await (const m of await consumer.fetch({ max_messages: PROJECTION_BATCH_ROWS, expires: FETCH_EXPIRES_MS })) {
      fetched++;
      if (m.seq > lastSeq) {
        done = true;
        break;
      }
      read++;
      const row = toRow(m);
      if (row) rows.push(row);
      if (m.seq === lastSeq || m.info.pending === 0) {
        done = true;
        break;
      }
    }
    await store.write(rows);
    if (fetched === 0) done = true;
  }
  return read;
}

/** `npm run projections:rebuild`, with its own connections. */
export async function runRebuild(config: RebuildConfig): Promise<RebuildReport> {
  const nc = await connectNats({ ...config.nats, name: "hookstream-projections-rebuild" });
  const db = new DataSource(dataSourceOptions(config.databaseUrl, 2));
  try {
    await db.initialize();
    return await rebuildJobProjection(jetstream(nc), await jetstreamManager(nc), new JobProjectionStore(db));
  } finally {
    if (db.isInitialized) await db.destroy();
    await nc.close();
  }
}
