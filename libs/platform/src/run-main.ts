import { Logger } from "@nestjs/common";

/** A service's entry point: start it, or say why not and exit non-zero. */
export function runMain(name: string, start: () => Promise<unknown>): void {
  Promise.resolve()
    .then(start)
    .catch((e: Error) => {
      new Logger(name).error(`failed to start: ${e.message}`);
      process.exit(1);
    });
}
