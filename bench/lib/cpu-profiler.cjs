// Preloaded (`node -r`) into a service by `fanout.bench.mjs --profile`: the first SIGWINCH (a signal NestJS
// shutdown hooks leave alone, unlike SIGUSR2) starts the V8 CPU
// profiler, the second writes the profile to $BENCH_CPU_PROFILE. Only the measured window is profiled.
const { Session } = require("node:inspector");
const { renameSync, writeFileSync } = require("node:fs");

const file = process.env.BENCH_CPU_PROFILE;
if (file) {
  const session = new Session();
  session.connect();
  let running = false;
  process.on("SIGWINCH", () => {
    if (!running) {
      running = true;
      session.post("Profiler.enable", () => session.post("Profiler.setSamplingInterval", { interval: 500 }, () => session.post("Profiler.start")));
      return;
    }
    running = false;
    session.post("Profiler.stop", (err, result) => {
      if (err) return;
      writeFileSync(`${file}.part`, JSON.stringify(result.profile));
      renameSync(`${file}.part`, file);
    });
  });
}
