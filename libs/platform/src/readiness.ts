import type { FactoryProvider } from "@nestjs/common";
import { getDataSourceToken } from "@nestjs/typeorm";
import type { DataSource } from "typeorm";
import type { NatsConnection } from "@nats-io/nats-core";
import { NATS_CONNECTION } from "@hookstream/jetstream";
import { READINESS_CHECKS, type ReadinessCheck } from "./health.controller";

const natsCheck = (nc: NatsConnection): ReadinessCheck => ({ name: "nats", check: () => nc.flush() });
const databaseCheck = (ds: DataSource): ReadinessCheck => ({ name: "postgres", check: async () => void (await ds.query("SELECT 1")) });

/** Ready when a NATS round trip and a PostgreSQL query both answer. */
export const natsAndDatabaseReadiness: FactoryProvider<ReadinessCheck[]> = {
  provide: READINESS_CHECKS,
  useFactory: (nc: NatsConnection, ds: DataSource) => [natsCheck(nc), databaseCheck(ds)],
  inject: [NATS_CONNECTION, getDataSourceToken()],
};

/** For ingress, which must keep accepting webhooks while PostgreSQL is away. */
export const natsReadiness: FactoryProvider<ReadinessCheck[]> = {
  provide: READINESS_CHECKS,
  useFactory: (nc: NatsConnection) => [natsCheck(nc)],
  inject: [NATS_CONNECTION],
};
