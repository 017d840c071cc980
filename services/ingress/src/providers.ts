import type { WebhookSource } from "@hookstream/contracts";
import { verifyGithub } from "./verifiers/github.verifier";
import { header, type Verifier, type VerifyInput } from "./verifiers/verifier";

/** What a verified request is, in Hookstream's terms. */
export interface EventDescription {
  id: string;
  type: string;
  resource: string | null;
  /** Answered inline and never stored (GitHub `ping`). */
  ping: boolean;
}

export interface Provider {
  source: WebhookSource;
  verify: Verifier;
  /** Reads id, type and resource from the request; null when a required header is missing. */
  describe(input: VerifyInput, payload: unknown): EventDescription | null;
  /** Provider headers stored with the event; signatures never are. */
  keptHeaders: string[];
}

const str = (v: unknown): string | null => (typeof v === "string" && v.length > 0 ? v : null);
const field = (o: unknown, key: string): unknown => (o && typeof o === "object" ? (o as Record<string, unknown>)[key] : undefined);

export const github: Provider = {
  source: "github",
  verify: verifyGithub,
  describe(input, payload) {
    const id = header(input, "x-github-delivery");
    const type = header(input, "x-github-event");
    if (!id || !type) return null;
    const resource = str(field(field(payload, "repository"), "full_name")) ?? str(field(field(payload, "organization"), "login"));
    return { id, type, resource, ping: type === "ping" };
  },
  keptHeaders: ["x-github-event", "x-github-delivery", "x-github-hook-id", "x-github-hook-installation-target-type", "x-github-hook-installation-target-id", "user-agent", "content-type"],
};

/** Every provider ingress serves, by the path segment that names it. */
export const PROVIDERS: Record<string, Provider> = { github };
