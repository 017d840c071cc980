// What every system is subscribed to, and a bulk insert for the tables the bench owns.
import { workspaceSecret } from "../lib/signing.mjs";

/** `{workspaceId, resource}` → the row every system stores: the workspace's destination URL and whsec_ secret. */
export function subscription(destinationsUrl, { workspaceId, resource }) {
  return { workspaceId, source: "github", resource, destinationUrl: `${destinationsUrl}/hook/${encodeURIComponent(workspaceId)}`, destinationSecret: workspaceSecret(workspaceId) };
}

/** Inserts into a `subscriptions (workspace_id, source, resource, destination_url, destination_secret)` table. */
export async function insertSubscriptions(client, subs) {
  for (let i = 0; i < subs.length; i += 5000) {
    const chunk = subs.slice(i, i + 5000);
    await client.query(
      `INSERT INTO subscriptions (workspace_id, source, resource, destination_url, destination_secret)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[])
       ON CONFLICT DO NOTHING`,
      [chunk.map((s) => s.workspaceId), chunk.map((s) => s.source), chunk.map((s) => s.resource), chunk.map((s) => s.destinationUrl), chunk.map((s) => s.destinationSecret)],
    );
  }
}
