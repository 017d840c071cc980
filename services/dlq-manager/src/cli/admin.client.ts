// Straight from the module, like the CLI's other imports from libs (see cli.config.ts).
import { ApiError } from "../../../../libs/contracts/src/api-error";
import type { CliConfig } from "./cli.config";

/** Talks to the DLQ manager's admin API with the bearer token. */
export class AdminClient {
  constructor(private readonly config: CliConfig) {}

  get<T>(path: string, query: Record<string, string | undefined> = {}): Promise<T> {
    const q = new URLSearchParams(Object.entries(query).filter((e): e is [string, string] => e[1] !== undefined));
    return this.send<T>("GET", q.size ? `${path}?${q}` : path);
  }

  post<T>(path: string, body: unknown = {}): Promise<T> {
    return this.send<T>("POST", path, body);
  }

  private async send<T>(method: string, path: string, body?: unknown): Promise<T> {
    let res: Response;
    try {
      res = await fetch(`${this.config.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${this.config.token}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (e) {
      throw new ApiError(0, "unreachable", `cannot reach the DLQ manager at ${this.config.url} (HOOKSTREAM_URL): ${(e as Error).message}`);
    }
    const text = await res.text();
    const parsed = parseJson(text);
    if (!res.ok) {
      const { code, message } = (parsed ?? {}) as { code?: string; message?: string };
      throw new ApiError(res.status, code ?? "error", message ?? `${method} ${path} answered ${res.status}`);
    }
    return parsed as T;
  }
}

function parseJson(text: string): unknown {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    // Something other than the DLQ manager answered (a proxy's error page): the status says enough.
    return undefined;
  }
}
