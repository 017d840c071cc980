import { WorkspaceActivityHandler } from "./activity.handler";
import { CacheInvalidationHandler } from "./cache-invalidation.handler";
import { DestinationDeliveryHandler } from "./destination-delivery.handler";

/** The job handlers this worker runs; a team adds its own `@HandlesJobs` provider here. */
export const JOB_HANDLERS = [WorkspaceActivityHandler, CacheInvalidationHandler, DestinationDeliveryHandler];
