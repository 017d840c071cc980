import { createService } from "@hookstream/platform";
import type { IngressConfig } from "./config";
import { IngressModule } from "./ingress.module";
import { WebhookHttp } from "./webhook.http";

export function createIngress(config: IngressConfig) {
  return createService(IngressModule.forRoot(config), {
    name: "ingress",
    port: config.port,
    logLevel: config.logLevel,
    timeouts: config.timeouts,
    front: (app) => app.get(WebhookHttp).handle,
  });
}
