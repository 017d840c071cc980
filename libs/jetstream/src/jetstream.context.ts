import { BaseRpcContext } from "@nestjs/microservices";
import type { JsMsg } from "@nats-io/jetstream";

/** What a handler may know of the message it handles, beside its parsed body. */
export class JetStreamContext extends BaseRpcContext<[JsMsg]> {
  constructor(msg: JsMsg) {
    super([msg]);
  }

  get message(): JsMsg {
    return this.args[0];
  }

  get subject(): string {
    return this.message.subject;
  }

  /** Stream sequence: the message's identity within its stream. */
  get seq(): number {
    return this.message.seq;
  }

  /** 1 on the first delivery. */
  get deliveryCount(): number {
    return this.message.info.deliveryCount;
  }

  header(name: string): string | undefined {
    return this.message.headers?.get(name) || undefined;
  }

  /** Extends the ack deadline; the transport already does this on a timer while the handler runs. */
  working(): void {
    this.message.working();
  }
}
