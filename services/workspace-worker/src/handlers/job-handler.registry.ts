import { Injectable, Logger, type OnModuleInit } from "@nestjs/common";
import { DiscoveryService } from "@nestjs/core";
import { handles, HandlesJobs, type JobHandlerProvider, type JobHandlerSpec } from "./job-handler";

export interface RegisteredHandler {
  spec: JobHandlerSpec;
  handler: JobHandlerProvider;
}

/** Every `@HandlesJobs` provider, found once at start-up, in the order they run. */
@Injectable()
export class JobHandlerRegistry implements OnModuleInit {
  private readonly log = new Logger(JobHandlerRegistry.name);
  private handlers: RegisteredHandler[] = [];

  constructor(private readonly discovery: DiscoveryService) {}

  onModuleInit(): void {
    this.handlers = this.discovery
      .getProviders({ metadataKey: HandlesJobs.KEY })
      .map((wrapper) => {
        const spec = this.discovery.getMetadataByDecorator(HandlesJobs, wrapper)!;
        const handler = wrapper.instance as JobHandlerProvider;
        if (typeof handler?.handle !== "function") throw new Error(`job handler ${spec.name} has no handle() method`);
        return { spec, handler };
      })
      .sort((a, b) => a.spec.order - b.spec.order);
    this.log.log(`job handlers: ${this.handlers.map((h) => h.spec.name).join(", ")}`);
  }

  for(source: string, eventType: string): RegisteredHandler[] {
    return this.handlers.filter((h) => handles(h.spec, source, eventType));
  }
}
