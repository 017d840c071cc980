/** What an error body must never show: how the service is built, where it runs, or what it keeps secret. */
const PATTERNS: Array<[what: string, pattern: RegExp]> = [
  ["a stack frame", /\bat (?:async )?[\w.<>$]+ \(|\bat (?:async )?[\w./-]+:\d+:\d+/],
  ["a source path", /(?:\/[\w.-]+)+\.(?:[cm]?[jt]s)\b|node_modules|\/(?:work|home|usr|tmp|app)\//],
  ["an error class", /\b(?:TypeError|ReferenceError|RangeError|SyntaxError|QueryFailedError|EntityNotFound\w*|NatsError|JetStreamApiError)\b/],
  ["SQL", /\b(?:SELECT\b[\s\S]+\bFROM|INSERT INTO|UPDATE\s+\w+\s+SET|DELETE FROM|relation "|column "|duplicate key value|violates \w+ constraint|syntax error at or near|invalid byte sequence)/i],
  ["a connection detail", /\bpostgres(?:ql)?:\/\/|\bnats:\/\/|ECONNREFUSED|ECONNRESET|ETIMEDOUT|127\.0\.0\.1:\d+/],
];

/** Why `body` reveals internals (first reason), or undefined; `secrets` are values configured on the services. */
export function revealsInternals(body: string, secrets: string[]): string | undefined {
  for (const secret of secrets) if (secret.length >= 6 && body.includes(secret)) return "a configured secret";
  return PATTERNS.find(([, p]) => p.test(body))?.[0];
}
