import { ServiceUnavailableException } from "@nestjs/common";
import { HookstreamError } from "@hookstream/contracts";
import type { AdminRequest } from "@hookstream/platform";

/** The audit log's actor: the name of the token used, never the token. */
export const actorOf = (req: AdminRequest) => req.adminToken ?? "unknown";

/** NATS or PostgreSQL away while acting: 503, so a client retries, rather than a bare 500. */
export async function orUnavailable<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof HookstreamError) throw new ServiceUnavailableException({ code: "unavailable", message: e.message });
    throw e;
  }
}
