import { createService } from "@hookstream/platform";
import type { IngressConfig } from "./config";
import { IngressModule } from "./ingress.module";

export function createIngress(config: IngressConfig) {
  return createService(IngressModule.forRoot(config), {
    name: "ingress",
    port: config.port,
    logLevel: config.logLevel,
    bodyLimit: config.maxBodyBytes,
    rawBodies: true,
  });
}
