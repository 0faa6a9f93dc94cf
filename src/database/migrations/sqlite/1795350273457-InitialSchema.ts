import { MigrationInterface, QueryRunner } from 'typeorm';

export class InitialSchema1795350273457 implements MigrationInterface {
  name = 'InitialSchema1795350273457';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "client" ("client_id" varchar(255) PRIMARY KEY NOT NULL, "secret_hash" varchar(64), "metadata" text NOT NULL, "created_at" bigint NOT NULL, "updated_at" bigint NOT NULL)`,
    );
    await queryRunner.query(
      `CREATE TABLE "signing_key" ("kid" varchar(64) PRIMARY KEY NOT NULL, "alg" varchar(16) NOT NULL, "state" varchar(16) NOT NULL, "public_jwk" text NOT NULL, "encrypted_private_key" text NOT NULL, "created_at" bigint NOT NULL, "activated_at" bigint, "retired_at" bigint, "retain_until" bigint)`,
    );
    await queryRunner.query(
      `CREATE TABLE "persisted_grant" ("id" varchar(36) PRIMARY KEY NOT NULL, "type" varchar(40) NOT NULL, "handle_hash" varchar(64) NOT NULL, "client_id" varchar(255) NOT NULL, "subject" varchar(255), "family_id" varchar(36) NOT NULL, "created_at" bigint NOT NULL, "expires_at" bigint NOT NULL, "consumed_at" bigint, "payload" text NOT NULL)`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_persisted_grant_handle_hash" ON "persisted_grant" ("handle_hash") `,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_persisted_grant_client_id" ON "persisted_grant" ("client_id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_persisted_grant_subject" ON "persisted_grant" ("subject") `,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_persisted_grant_family_id" ON "persisted_grant" ("family_id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_persisted_grant_expires_at" ON "persisted_grant" ("expires_at") `,
    );
    await queryRunner.query(
      `CREATE TABLE "app_user" ("id" varchar(36) PRIMARY KEY NOT NULL, "username" varchar(255) NOT NULL, "password_hash" varchar(255), "claims" text NOT NULL, "created_at" bigint NOT NULL, "updated_at" bigint NOT NULL, CONSTRAINT "UQ_c480e576dd71729addbc2d51b67" UNIQUE ("username"))`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "app_user"`);
    await queryRunner.query(`DROP INDEX "ix_persisted_grant_expires_at"`);
    await queryRunner.query(`DROP INDEX "ix_persisted_grant_family_id"`);
    await queryRunner.query(`DROP INDEX "ix_persisted_grant_subject"`);
    await queryRunner.query(`DROP INDEX "ix_persisted_grant_client_id"`);
    await queryRunner.query(`DROP INDEX "uq_persisted_grant_handle_hash"`);
    await queryRunner.query(`DROP TABLE "persisted_grant"`);
    await queryRunner.query(`DROP TABLE "signing_key"`);
    await queryRunner.query(`DROP TABLE "client"`);
  }
}
