import { JsonLogger } from "./json.logger";

/** A service's entry point: start it, or say why not and exit non-zero. */
export function runMain(name: string, start: () => Promise<unknown>): void {
  Promise.resolve()
    .then(start)
    .catch((e: Error) => {
      new JsonLogger(name).error(`failed to start: ${e.message}`, "Bootstrap");
      process.exit(1);
    });
}
