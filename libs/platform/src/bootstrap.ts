import { type DynamicModule, type INestApplication, Logger, type Type } from "@nestjs/common";
import { NestFactory } from "@nestjs/core";
import type { CustomTransportStrategy } from "@nestjs/microservices";
import { FastifyAdapter, type NestFastifyApplication } from "@nestjs/platform-fastify";
import { createServer, type IncomingMessage, type RequestListener, type ServerOptions, type ServerResponse } from "node:http";
import { JsonLogger, levelsUpTo } from "./json.logger";

export interface ServiceOptions {
  name: string;
  port: number;
  host?: string;
  logLevel?: string;
  /** The JetStream transport, for services that consume; built once the app's providers exist. */
  transport?: (app: INestApplication) => CustomTransportStrategy;
  /** Slow clients: how long they may take to send the headers, and the whole request (Node answers 408 past either). */
  timeouts?: { headersMs: number; requestMs: number };
  /**
   * Requests answered before Fastify routes them (ingress's webhooks, where Fastify's per-request cost would be most
   * of the work): built once the app's providers exist; the function returns false for a request it leaves to Fastify.
   */
  front?: (app: INestApplication) => (req: IncomingMessage, res: ServerResponse) => boolean;
}

/**
 * Creates a service: Fastify HTTP (health, metrics, admin) plus, where given, the JetStream transport as a
 * hybrid microservice. Returns once it listens; `app.close()` stops it in order (readiness, consumers, NATS, pool).
 */
export async function createService(module: Type<unknown> | DynamicModule, options: ServiceOptions): Promise<NestFastifyApplication> {
  let front: ((req: IncomingMessage, res: ServerResponse) => boolean) | undefined;
  const { timeouts } = options;
  const serverOptions: ServerOptions = {
    // Fastify's own default: longer than the idle timeout of the proxies in front, so none reuses a closed connection.
    keepAliveTimeout: 72_000,
    ...(timeouts && {
      headersTimeout: timeouts.headersMs,
      requestTimeout: timeouts.requestMs,
      // Node checks both deadlines only this often (30 s by default).
      connectionsCheckingInterval: Math.min(1000, timeouts.headersMs),
    }),
  };
  const adapter = new FastifyAdapter({
    trustProxy: true,
    ...((options.front || timeouts) && {
      serverFactory: (fastify: RequestListener) => createServer(serverOptions, (req, res) => front?.(req, res) || fastify(req, res)),
    }),
  });
  const app = await NestFactory.create<NestFastifyApplication>(module, adapter, {
    logger: new JsonLogger(options.name, levelsUpTo(options.logLevel)),
    bufferLogs: false,
  });
  front = options.front?.(app);
  app.enableShutdownHooks();
  if (options.transport) app.connectMicroservice({ strategy: options.transport(app) }, { inheritAppConfig: true });
  await app.startAllMicroservices();
  await app.listen({ port: options.port, host: options.host ?? "0.0.0.0" });
  new Logger(options.name).log(`${options.name} listening on http://${options.host ?? "0.0.0.0"}:${options.port}`);
  return app;
}
