export const NATS_CONNECTION = Symbol("NATS_CONNECTION");
export const JETSTREAM = Symbol("JETSTREAM");
export const JETSTREAM_MANAGER = Symbol("JETSTREAM_MANAGER");
