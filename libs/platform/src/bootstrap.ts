import { type DynamicModule, type INestApplication, Logger, type LogLevel, type Type } from "@nestjs/common";
import { NestFactory } from "@nestjs/core";
import type { CustomTransportStrategy } from "@nestjs/microservices";
import { FastifyAdapter, type NestFastifyApplication } from "@nestjs/platform-fastify";

export interface ServiceOptions {
  name: string;
  port: number;
  host?: string;
  logLevel?: string;
  /** The JetStream transport, for services that consume; built once the app's providers exist. */
  transport?: (app: INestApplication) => CustomTransportStrategy;
  /** Fastify body limit in bytes (ingress sets its own). */
  bodyLimit?: number;
  /**
   * Hand every body to the handler as the exact bytes received, whatever its content type: signatures are
   * computed over those bytes, so nothing may parse (or reject) a body before it is verified.
   */
  rawBodies?: boolean;
  /**
   * Proxies whose `X-Forwarded-For` is believed for `request.ip` (addresses, CIDRs, or `loopback`, `linklocal`,
   * `uniquelocal`); empty: none. Default: any, which suits services that are not public.
   */
  trustProxy?: string[];
  /** Slow clients: how long they may take to send the headers, and the whole request (Node answers 408 past either). */
  timeouts?: { headersMs: number; requestMs: number };
}

const LEVELS: LogLevel[] = ["error", "warn", "log", "debug", "verbose"];

function levelsUpTo(level: string | undefined): LogLevel[] {
  const i = LEVELS.indexOf((level ?? "log") as LogLevel);
  return LEVELS.slice(0, i < 0 ? 3 : i + 1);
}

/**
 * Creates a service: Fastify HTTP (health, metrics, admin) plus, where given, the JetStream transport as a
 * hybrid microservice. Returns once it listens; `app.close()` stops it in order (readiness, consumers, NATS, pool).
 */
export async function createService(module: Type<unknown> | DynamicModule, options: ServiceOptions): Promise<NestFastifyApplication> {
  const timeouts = options.timeouts;
  const adapter = new FastifyAdapter({
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    trustProxy: options.trustProxy ?? true,
    ...(timeouts && {
      requestTimeout: timeouts.requestMs,
      // Node checks both deadlines only every connectionsCheckingInterval (30 s by default).
      http: { headersTimeout: timeouts.headersMs, connectionsCheckingInterval: Math.min(1000, timeouts.headersMs) },
    }),
  });
  const app = await NestFactory.create<NestFastifyApplication>(module, adapter, {
    logger: levelsUpTo(options.logLevel),
    bodyParser: !options.rawBodies,
    bufferLogs: false,
  });
  if (options.rawBodies) {
    const fastify = app.getHttpAdapter().getInstance();
    fastify.removeAllContentTypeParsers();
    fastify.addContentTypeParser("*", { parseAs: "buffer" }, (_req, body, done) => done(null, body));
  }
  app.enableShutdownHooks();
  if (options.transport) app.connectMicroservice({ strategy: options.transport(app) }, { inheritAppConfig: true });
  await app.startAllMicroservices();
  await app.listen({ port: options.port, host: options.host ?? "0.0.0.0" });
  new Logger(options.name).log(`${options.name} listening on http://${options.host ?? "0.0.0.0"}:${options.port}`);
  return app;
}
