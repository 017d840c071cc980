import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from "typeorm";

/** Which workspace wants which resource's webhooks, and where to deliver them. Configuration, not a projection. */
@Entity({ name: "subscriptions" })
export class Subscription {
  @PrimaryGeneratedColumn("uuid")
  id!: string;

  @Column({ name: "workspace_id", type: "text" })
  workspaceId!: string;

  @Column({ type: "text" })
  source!: string;

  /** `owner/repo`, or `*` for every resource of the source. */
  @Column({ type: "text" })
  resource!: string;

  /** Only these event types; null for all. */
  @Column({ name: "event_types", type: "text", array: true, nullable: true })
  eventTypes!: string[] | null;

  /** Only these actions (`opened`, `closed`…); null for all. */
  @Column({ type: "text", array: true, nullable: true })
  actions!: string[] | null;

  @Column({ name: "destination_url", type: "text", nullable: true })
  destinationUrl!: string | null;

  /** Encrypted (`enc:v1:<kid>:…`, libs/secrets); not selected unless asked for, so it cannot leak by accident. */
  @Column({ name: "destination_secret", type: "text", nullable: true, select: false })
  destinationSecret!: string | null;

  /** The secret masked (`whsec_…abcd`): what the admin API shows. */
  @Column({ name: "destination_secret_hint", type: "text", nullable: true })
  destinationSecretHint!: string | null;

  @CreateDateColumn({ name: "created_at", type: "timestamptz" })
  createdAt!: Date;

  @UpdateDateColumn({ name: "updated_at", type: "timestamptz" })
  updatedAt!: Date;
}
