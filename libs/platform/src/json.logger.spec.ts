import { context, trace } from "@opentelemetry/api";
import { startTelemetry } from "@hookstream/telemetry";
import { JsonLogger, levelsUpTo } from "./json.logger";

// A context manager, so the active span is known inside context.with.
startTelemetry("logger-spec", { env: {} });

describe("JsonLogger", () => {
  it("writes one JSON object per line with level, service and context", () => {
    const lines: string[] = [];
    const log = new JsonLogger("router", levelsUpTo("log"), (l) => lines.push(l));
    log.log("listening", "Bootstrap");
    log.debug("not shown", "Bootstrap");
    log.error("failed", "Error: failed\n    at x", "Handler");
    expect(lines.map((l) => JSON.parse(l))).toEqual([
      expect.objectContaining({ level: "log", service: "router", context: "Bootstrap", msg: "listening" }),
      expect.objectContaining({ level: "error", context: "Handler", msg: "failed", stack: "Error: failed\n    at x" }),
    ]);
  });

  it("carries the active span's trace and span ids", () => {
    const lines: string[] = [];
    const log = new JsonLogger("worker", levelsUpTo("log"), (l) => lines.push(l));
    const span = trace.wrapSpanContext({ traceId: "0af7651916cd43dd8448eb211c80319c", spanId: "b7ad6b7169203331", traceFlags: 1 });
    context.with(trace.setSpan(context.active(), span), () => log.warn("slow destination", "JobHandler"));
    expect(JSON.parse(lines[0]!)).toMatchObject({ trace_id: "0af7651916cd43dd8448eb211c80319c", span_id: "b7ad6b7169203331", level: "warn" });
  });
});
