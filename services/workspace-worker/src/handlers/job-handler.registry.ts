import { Inject, Injectable, Logger, type OnModuleInit } from "@nestjs/common";
import { DiscoveryService } from "@nestjs/core";
import { WORKER_CONFIG, type WorkerConfig } from "../config";
import { handles, HandlesJobs, type JobHandlerProvider, type JobHandlerSpec } from "./job-handler";

export interface RegisteredHandler {
  spec: JobHandlerSpec;
  handler: JobHandlerProvider;
}

/**
 * The handlers left once `disabled` are taken out, in the order they run. A disabled name that no handler has is
 * refused: a typo would otherwise leave the handler running unnoticed.
 */
export function enabledHandlers(registered: RegisteredHandler[], disabled: readonly string[]): RegisteredHandler[] {
  const names = new Set(registered.map((h) => h.spec.name));
  const unknown = disabled.filter((name) => !names.has(name));
  if (unknown.length > 0) {
    throw new Error(`JOB_HANDLERS_DISABLED: no job handler is named ${unknown.join(", ")} (handlers: ${[...names].join(", ")})`);
  }
  return registered.filter((h) => !disabled.includes(h.spec.name)).sort((a, b) => a.spec.order - b.spec.order);
}

/** Every `@HandlesJobs` provider not disabled by configuration, found once at start-up, in the order they run. */
@Injectable()
export class JobHandlerRegistry implements OnModuleInit {
  private readonly log = new Logger(JobHandlerRegistry.name);
  private handlers: RegisteredHandler[] = [];

  constructor(
    private readonly discovery: DiscoveryService,
    @Inject(WORKER_CONFIG) private readonly config: WorkerConfig,
  ) {}

  onModuleInit(): void {
    const registered = this.discovery.getProviders({ metadataKey: HandlesJobs.KEY }).map((wrapper) => {
      const spec = this.discovery.getMetadataByDecorator(HandlesJobs, wrapper)!;
      const handler = wrapper.instance as JobHandlerProvider;
      if (typeof handler?.handle !== "function") throw new Error(`job handler ${spec.name} has no handle() method`);
      return { spec, handler };
    });
    this.handlers = enabledHandlers(registered, this.config.disabledHandlers);
    const disabled = this.config.disabledHandlers.length > 0 ? ` (disabled: ${this.config.disabledHandlers.join(", ")})` : "";
    this.log.log(`job handlers: ${this.handlers.map((h) => h.spec.name).join(", ")}${disabled}`);
  }

  for(source: string, eventType: string): RegisteredHandler[] {
    return this.handlers.filter((h) => handles(h.spec, source, eventType));
  }
}
