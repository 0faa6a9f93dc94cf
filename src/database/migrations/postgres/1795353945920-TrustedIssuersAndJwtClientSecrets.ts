import { MigrationInterface, QueryRunner } from 'typeorm';

export class TrustedIssuersAndJwtClientSecrets1795353945920 implements MigrationInterface {
  name = 'TrustedIssuersAndJwtClientSecrets1795353945920';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "trusted_issuer" ("id" character varying(36) NOT NULL, "issuer" character varying(1000) NOT NULL, "jwks" text, "jwks_uri" character varying(2000), "allowed_subjects" text, "allowed_scopes" text, "created_at" bigint NOT NULL, CONSTRAINT "PK_ac57d16cd94f2c20244b1588b63" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_trusted_issuer_issuer" ON "trusted_issuer"  ("issuer") `,
    );
    await queryRunner.query(`ALTER TABLE "client" ADD "encrypted_secret" text`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "client" DROP COLUMN "encrypted_secret"`);
    await queryRunner.query(`DROP INDEX "public"."uq_trusted_issuer_issuer"`);
    await queryRunner.query(`DROP TABLE "trusted_issuer"`);
  }
}
