import { CONSUMERS, STREAMS } from "@hookstream/contracts";
import { createService, jetStreamTransport } from "@hookstream/platform";
import type { RouterConfig } from "./config";
import { RouterModule } from "./router.module";

export function createRouter(config: RouterConfig) {
  return createService(RouterModule.forRoot(config), {
    name: "router",
    port: config.port,
    logLevel: config.logLevel,
    transport: jetStreamTransport({
      bindings: [
        { stream: STREAMS.webhooks, consumer: CONSUMERS.router, concurrency: config.concurrency },
        // Replays are rare and operator-paced: a couple at a time keeps live routing first.
        { stream: STREAMS.replays, consumer: CONSUMERS.routerReplays, concurrency: 2 },
      ],
      shutdownGraceMs: config.shutdownGraceMs,
    }),
  });
}
