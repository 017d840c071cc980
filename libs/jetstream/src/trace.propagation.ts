import { context, type Context, propagation, type TextMapGetter, type TextMapSetter } from "@opentelemetry/api";
import type { MsgHdrs } from "@nats-io/nats-core";

const setter: TextMapSetter<MsgHdrs> = { set: (h, key, value) => h.set(key, value) };
const getter: TextMapGetter<MsgHdrs | undefined> = {
  get: (h, key) => h?.get(key) || undefined,
  keys: (h) => (h ? h.keys() : []),
};

/** Writes W3C `traceparent`/`tracestate` for `ctx` into NATS headers. */
export function injectTraceContext(headers: MsgHdrs, ctx: Context = context.active()): void {
  propagation.inject(ctx, headers, setter);
}

export function extractTraceContext(headers: MsgHdrs | undefined): Context {
  return propagation.extract(context.active(), headers, getter);
}
