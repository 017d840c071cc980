import { loadProvisionConfig, provision } from "@hookstream/provisioning";

/** `npm run provision`, and the Helm hook Job: streams, consumers and migrations, once per install or upgrade. */
Promise.resolve()
  .then(() => provision(loadProvisionConfig()))
  .then((r) => {
    console.log(r.serverVersion ? `[provision] nats-server ${r.serverVersion}` : "[provision] JetStream managed elsewhere (PROVISION_JETSTREAM=false)");
    for (const [what, names] of Object.entries(r.jetstream)) if (names.length) console.log(`[provision] ${what}: ${names.join(", ")}`);
    console.log(`[provision] migrations applied: ${r.migrations.length ? r.migrations.join(", ") : "none pending"}`);
  })
  .catch((e: Error) => {
    console.error(`[provision] failed: ${e.message}`);
    process.exit(1);
  });
