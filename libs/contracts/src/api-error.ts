/**
 * An answer of the admin API that was not a success, with its `{ code, message }` (JsonErrorFilter): what the web
 * console and the `hookstream dlq` CLI throw. Plain TypeScript, so the console's browser bundle can import it.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}
