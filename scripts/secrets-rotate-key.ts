import { loadRotateKeyConfig, rotateKey } from "@hookstream/subscriptions";

/** `npm run secrets:rotate-key`: every destination secret re-encrypted under HOOKSTREAM_ENCRYPTION_KEY. */
Promise.resolve()
  .then(() => rotateKey(loadRotateKeyConfig()))
  .then((r) => {
    console.log(`[secrets] ${r.reencrypted} re-encrypted, ${r.current} already under the current key, ${r.skipped} changed meanwhile (kept), ${r.failed} unreadable`);
    if (r.failed) {
      console.error("[secrets] some secrets are under a key that is neither HOOKSTREAM_ENCRYPTION_KEY nor in HOOKSTREAM_ENCRYPTION_KEY_PREVIOUS: keep the old key until they are re-encrypted");
      process.exit(1);
    }
  })
  .catch((e: Error) => {
    console.error(`[secrets] rotate-key failed: ${e.message}`);
    process.exit(1);
  });
