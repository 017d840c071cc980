import { describeUpdate, loadProvisionConfig, provision } from "@hookstream/provisioning";

/** `npm run provision`, and the Helm hook Job: streams, consumers and migrations, once per install or upgrade. */
Promise.resolve()
  .then(() => provision(loadProvisionConfig()))
  .then((r) => {
    console.log(r.serverVersion ? `[provision] nats-server ${r.serverVersion}` : "[provision] JetStream managed elsewhere (PROVISION_JETSTREAM=false)");
    const { created, updated, unchanged } = r.jetstream;
    if (created.length) console.log(`[provision] created: ${created.join(", ")}`);
    for (const u of updated) console.log(`[provision] updated ${describeUpdate(u)}`);
    if (unchanged.length) console.log(`[provision] unchanged: ${unchanged.join(", ")}`);
    console.log(`[provision] migrations applied: ${r.migrations.length ? r.migrations.join(", ") : "none pending"}`);
  })
  .catch((e: Error) => {
    console.error(`[provision] failed: ${e.message}`);
    process.exit(1);
  });
