import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, HttpStatus, Logger } from "@nestjs/common";
import type { FastifyReply } from "fastify";

/** An HttpException may carry response headers (Retry-After) this way. */
export type WithHeaders = { headers?: Record<string, string> };

const CODES: Record<number, string> = { 400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 413: "payload_too_large", 415: "unsupported_media_type", 429: "rate_limited", 503: "unavailable" };

/**
 * Every HTTP error as JSON `{ code, message }` with a stable code; never a stack trace or an echo of the input.
 * Errors that are not HttpExceptions are logged and answered as a plain 500.
 */
@Catch()
export class JsonErrorFilter implements ExceptionFilter {
  private readonly log = new Logger("HTTP");

  catch(exception: unknown, host: ArgumentsHost) {
    if (host.getType() !== "http") throw exception;
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    let status = HttpStatus.INTERNAL_SERVER_ERROR;
    let body: { code: string; message: string; [k: string]: unknown } = { code: "internal_error", message: "internal error" };
    const fastifyStatus = (exception as { statusCode?: number })?.statusCode;
    if (exception instanceof HttpException) {
      status = exception.getStatus();
      const r = exception.getResponse();
      body =
        typeof r === "object" && r !== null && "code" in r
          ? (r as typeof body)
          : { code: CODES[status] ?? "error", message: typeof r === "string" ? r : exception.message };
      for (const [k, v] of Object.entries((exception as WithHeaders).headers ?? {})) reply.header(k, v);
    } else if (typeof fastifyStatus === "number" && fastifyStatus >= 400 && fastifyStatus < 500) {
      // Fastify's own errors (body too large, bad JSON, unsupported type) carry their status.
      status = fastifyStatus;
      body = { code: CODES[status] ?? "bad_request", message: (exception as Error).message };
    } else {
      this.log.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
    }
    reply.status(status).header("content-type", "application/json; charset=utf-8").send(body);
  }
}
