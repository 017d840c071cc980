import { Controller, Get, Header, Headers, Inject, Injectable, type OnModuleDestroy, Res, ServiceUnavailableException } from "@nestjs/common";
import type { FastifyReply } from "fastify";
import { MetricsService } from "./metrics.service";

export interface ReadinessCheck {
  name: string;
  check(): Promise<void>;
}

export const READINESS_CHECKS = Symbol("READINESS_CHECKS");

/** Readiness turns false in the first shutdown hook, so Kubernetes stops sending traffic before anything closes. */
@Injectable()
export class Lifecycle implements OnModuleDestroy {
  shuttingDown = false;

  onModuleDestroy() {
    this.shuttingDown = true;
  }
}

const CHECK_TIMEOUT_MS = 2000;

function withTimeout(name: string, p: Promise<void>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${name} did not answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

@Controller()
export class HealthController {
  constructor(
    @Inject(READINESS_CHECKS) private readonly checks: ReadinessCheck[],
    private readonly metrics: MetricsService,
    private readonly lifecycle: Lifecycle,
  ) {}

  @Get("healthz")
  healthz() {
    return { status: "ok" };
  }

  @Get("readyz")
  async readyz() {
    if (this.lifecycle.shuttingDown) throw new ServiceUnavailableException({ status: "shutting_down" });
    const results = await Promise.all(
      this.checks.map(async (c) => {
        try {
          await withTimeout(c.name, c.check());
          return [c.name, "ok"] as const;
        } catch (e) {
          return [c.name, (e as Error).message] as const;
        }
      }),
    );
    const body = { status: results.every(([, r]) => r === "ok") ? "ok" : "unavailable", checks: Object.fromEntries(results) };
    if (body.status !== "ok") throw new ServiceUnavailableException(body);
    return body;
  }

  @Get("metrics")
  @Header("Cache-Control", "no-store")
  async metricsText(@Headers("accept") accept: string | undefined, @Res() reply: FastifyReply) {
    const { contentType, body } = await this.metrics.render(accept);
    reply.header("Content-Type", contentType).send(body);
  }
}
