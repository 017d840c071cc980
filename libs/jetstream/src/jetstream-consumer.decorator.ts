import { applyDecorators, type ArgumentsHost, Catch, type RpcExceptionFilter, UseFilters } from "@nestjs/common";
import { EventPattern } from "@nestjs/microservices";
import { type Observable, throwError } from "rxjs";

/** Hands the original error to the transport (Nest's default filter would replace it with a generic one). */
@Catch()
class PassThroughFilter implements RpcExceptionFilter<unknown> {
  catch(exception: unknown, _host: ArgumentsHost): Observable<never> {
    return throwError(() => exception);
  }
}

/**
 * Binds a handler to a durable JetStream consumer (by its name from libs/contracts). What it returns acks
 * the message; what it throws is decided by the retry policy: nak with a delay, or term.
 */
export const JetStreamConsumer = (consumer: string) => applyDecorators(EventPattern(consumer), UseFilters(new PassThroughFilter()));
