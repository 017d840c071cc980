import type { LoggerService, LogLevel } from "@nestjs/common";
import { trace } from "@opentelemetry/api";

const LEVELS: LogLevel[] = ["fatal", "error", "warn", "log", "debug", "verbose"];

/**
 * One JSON object per line, carrying the active span's `trace_id` and `span_id`, so Grafana can jump from a
 * log line to its trace in Tempo.
 */
export class JsonLogger implements LoggerService {
  private enabled: Set<LogLevel>;

  constructor(
    private readonly service: string,
    levels: LogLevel[] = ["fatal", "error", "warn", "log"],
    private readonly out: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
  ) {
    this.enabled = new Set(levels);
  }

  setLogLevels(levels: LogLevel[]): void {
    this.enabled = new Set(levels);
  }

  log(message: unknown, ...params: unknown[]) {
    this.write("log", message, params);
  }
  error(message: unknown, ...params: unknown[]) {
    this.write("error", message, params);
  }
  warn(message: unknown, ...params: unknown[]) {
    this.write("warn", message, params);
  }
  debug(message: unknown, ...params: unknown[]) {
    this.write("debug", message, params);
  }
  verbose(message: unknown, ...params: unknown[]) {
    this.write("verbose", message, params);
  }
  fatal(message: unknown, ...params: unknown[]) {
    this.write("fatal", message, params);
  }

  private write(level: LogLevel, message: unknown, params: unknown[]) {
    if (!this.enabled.has(level)) return;
    // Nest passes the context last, and for errors a stack before it.
    const context = typeof params.at(-1) === "string" ? (params.at(-1) as string) : undefined;
    const stack = params.length > 1 && typeof params[0] === "string" ? (params[0] as string) : undefined;
    const span = trace.getActiveSpan()?.spanContext();
    const entry: Record<string, unknown> = {
      time: new Date().toISOString(),
      level,
      service: this.service,
      ...(context ? { context } : {}),
      msg: message instanceof Error ? message.message : typeof message === "string" ? message : JSON.stringify(message),
      ...(message instanceof Error && message.stack ? { stack: message.stack } : stack ? { stack } : {}),
      ...(span ? { trace_id: span.traceId, span_id: span.spanId } : {}),
    };
    this.out(JSON.stringify(entry));
  }
}

/** The levels at and above `level` (`log` includes error and warn). */
export function levelsUpTo(level: string | undefined): LogLevel[] {
  const i = LEVELS.indexOf((level ?? "log") as LogLevel);
  return LEVELS.slice(0, i < 0 ? 4 : i + 1);
}
