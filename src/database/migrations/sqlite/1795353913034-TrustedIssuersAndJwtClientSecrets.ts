import { MigrationInterface, QueryRunner } from 'typeorm';

export class TrustedIssuersAndJwtClientSecrets1795353913034 implements MigrationInterface {
  name = 'TrustedIssuersAndJwtClientSecrets1795353913034';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "trusted_issuer" ("id" varchar(36) PRIMARY KEY NOT NULL, "issuer" varchar(1000) NOT NULL, "jwks" text, "jwks_uri" varchar(2000), "allowed_subjects" text, "allowed_scopes" text, "created_at" bigint NOT NULL)`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_trusted_issuer_issuer" ON "trusted_issuer" ("issuer") `,
    );
    await queryRunner.query(
      `CREATE TABLE "temporary_client" ("client_id" varchar(255) PRIMARY KEY NOT NULL, "secret_hash" varchar(64), "metadata" text NOT NULL, "created_at" bigint NOT NULL, "updated_at" bigint NOT NULL, "encrypted_secret" text)`,
    );
    await queryRunner.query(
      `INSERT INTO "temporary_client"("client_id", "secret_hash", "metadata", "created_at", "updated_at") SELECT "client_id", "secret_hash", "metadata", "created_at", "updated_at" FROM "client"`,
    );
    await queryRunner.query(`DROP TABLE "client"`);
    await queryRunner.query(`ALTER TABLE "temporary_client" RENAME TO "client"`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "client" RENAME TO "temporary_client"`);
    await queryRunner.query(
      `CREATE TABLE "client" ("client_id" varchar(255) PRIMARY KEY NOT NULL, "secret_hash" varchar(64), "metadata" text NOT NULL, "created_at" bigint NOT NULL, "updated_at" bigint NOT NULL)`,
    );
    await queryRunner.query(
      `INSERT INTO "client"("client_id", "secret_hash", "metadata", "created_at", "updated_at") SELECT "client_id", "secret_hash", "metadata", "created_at", "updated_at" FROM "temporary_client"`,
    );
    await queryRunner.query(`DROP TABLE "temporary_client"`);
    await queryRunner.query(`DROP INDEX "uq_trusted_issuer_issuer"`);
    await queryRunner.query(`DROP TABLE "trusted_issuer"`);
  }
}
