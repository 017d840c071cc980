import { revealsInternals } from "./internals";

describe("revealsInternals", () => {
  const secrets = ["test-admin-token", "postgres://postgres@127.0.0.1:5432/hs_test_x"];

  it.each([
    ["TypeError: Cannot read properties of undefined (reading 'x')\n    at Foo.bar (/work/app/dist/services/router/src/x.js:10:5)", "a stack frame"],
    ['{"message":"at async Promise.all (index 0)"}', "a stack frame"],
    ['{"message":"failed in /work/h/libs/platform/src/zod.pipe.ts"}', "a source path"],
    ['{"message":"QueryFailedError"}', "an error class"],
    ['{"message":"invalid byte sequence for encoding \\"UTF8\\": 0x00"}', "SQL"],
    ['{"message":"SELECT id FROM subscriptions WHERE x = $1"}', "SQL"],
    ['{"message":"connect ECONNREFUSED 127.0.0.1:5432"}', "a connection detail"],
    ['{"message":"bad token test-admin-token"}', "a configured secret"],
  ])("finds %s", (body, why) => {
    expect(revealsInternals(body, secrets)).toBe(why);
  });

  it.each([
    '{"code":"invalid_request","message":"✖ Invalid input: expected string, received undefined\\n  → at workspaceId"}',
    '{"code":"unauthorized","message":"a valid Authorization: Bearer <token> is required"}',
    '{"code":"malformed_body","message":"body is not valid JSON (at character 3)"}',
    '{"code":"not_found","message":"no such dead-letter entry"}',
  ])("lets a plain refusal through: %s", (body) => {
    expect(revealsInternals(body, secrets)).toBeUndefined();
  });
});
