/** Unit tests (*.spec.ts) and integration tests (*.int-spec.ts) run together; each file isolates its own NATS and database. */
const swc = JSON.parse(require("node:fs").readFileSync(`${__dirname}/.swcrc`, "utf8"));
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/libs", "<rootDir>/services", "<rootDir>/test"],
  testMatch: ["**/*.spec.ts", "**/*.int-spec.ts"],
  transform: { "^.+\\.ts$": ["@swc/jest", { ...swc, sourceMaps: "inline" }] },
  moduleNameMapper: { "^@hookstream/([^/]+)$": "<rootDir>/libs/$1/src", "^@hookstream/([^/]+)/(.+)$": "<rootDir>/libs/$1/src/$2" },
  testTimeout: 120_000,
  setupFilesAfterEnv: ["<rootDir>/test/support/jest.setup.ts"],
  // CI runs one file at a time: the timing-sensitive integration tests (heartbeats, fairness, leadership) then
  // never compete with each other for the two cores.
  maxWorkers: process.env.CI === "true" ? 1 : 2,
};
