import { MigrationInterface, QueryRunner } from 'typeorm';

export class InitialSchema1795350274815 implements MigrationInterface {
  name = 'InitialSchema1795350274815';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "client" ("client_id" character varying(255) NOT NULL, "secret_hash" character varying(64), "metadata" text NOT NULL, "created_at" bigint NOT NULL, "updated_at" bigint NOT NULL, CONSTRAINT "PK_7510ce0a84bde51dbff978b4b49" PRIMARY KEY ("client_id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "signing_key" ("kid" character varying(64) NOT NULL, "alg" character varying(16) NOT NULL, "state" character varying(16) NOT NULL, "public_jwk" text NOT NULL, "encrypted_private_key" text NOT NULL, "created_at" bigint NOT NULL, "activated_at" bigint, "retired_at" bigint, "retain_until" bigint, CONSTRAINT "PK_00d7e305393ab903d6eb06c11f9" PRIMARY KEY ("kid"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "persisted_grant" ("id" character varying(36) NOT NULL, "type" character varying(40) NOT NULL, "handle_hash" character varying(64) NOT NULL, "client_id" character varying(255) NOT NULL, "subject" character varying(255), "family_id" character varying(36) NOT NULL, "created_at" bigint NOT NULL, "expires_at" bigint NOT NULL, "consumed_at" bigint, "payload" text NOT NULL, CONSTRAINT "PK_4e5bb7af515b3651b37b4b6a9f5" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_persisted_grant_handle_hash" ON "persisted_grant"  ("handle_hash") `,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_persisted_grant_client_id" ON "persisted_grant"  ("client_id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_persisted_grant_subject" ON "persisted_grant"  ("subject") `,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_persisted_grant_family_id" ON "persisted_grant"  ("family_id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_persisted_grant_expires_at" ON "persisted_grant"  ("expires_at") `,
    );
    await queryRunner.query(
      `CREATE TABLE "app_user" ("id" character varying(36) NOT NULL, "username" character varying(255) NOT NULL, "password_hash" character varying(255), "claims" text NOT NULL, "created_at" bigint NOT NULL, "updated_at" bigint NOT NULL, CONSTRAINT "UQ_c480e576dd71729addbc2d51b67" UNIQUE ("username"), CONSTRAINT "PK_22a5c4a3d9b2fb8e4e73fc4ada1" PRIMARY KEY ("id"))`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "app_user"`);
    await queryRunner.query(`DROP INDEX "public"."ix_persisted_grant_expires_at"`);
    await queryRunner.query(`DROP INDEX "public"."ix_persisted_grant_family_id"`);
    await queryRunner.query(`DROP INDEX "public"."ix_persisted_grant_subject"`);
    await queryRunner.query(`DROP INDEX "public"."ix_persisted_grant_client_id"`);
    await queryRunner.query(`DROP INDEX "public"."uq_persisted_grant_handle_hash"`);
    await queryRunner.query(`DROP TABLE "persisted_grant"`);
    await queryRunner.query(`DROP TABLE "signing_key"`);
    await queryRunner.query(`DROP TABLE "client"`);
  }
}
