import { Injectable } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { ClientMetadataValidator } from '../../clients/client-metadata.validator.js';
import { ClientsService } from '../../clients/clients.service.js';
import { ProblemError, type ProblemFieldError } from '../../common/problem/problem.error.js';
import { toFieldErrors } from '../../common/problem/validation-errors.js';
import { CreateTrustedIssuerDto } from '../../trust/trusted-issuer.dto.js';
import { keySourceProblems, TrustedIssuersService } from '../../trust/trusted-issuers.service.js';
import { ClientAdministrationService } from '../clients/client-administration.service.js';
import { presentTrustedIssuer } from '../trusted-issuers/trusted-issuer.presenter.js';
import {
  CONFIGURATION_KIND,
  CONFIGURATION_VERSION,
  type ConfigurationDocument,
  type ImportReport,
} from './configuration-document.js';

const PAGE = 200;

/**
 * Export and import of what an environment is configured with (clients and
 * their scopes, trusted issuers), for promotion between environments.
 * Secrets never leave: an imported confidential client that is new gets a
 * fresh secret, shown once in the report; one that exists keeps its own.
 */
@Injectable()
export class ConfigurationTransferService {
  constructor(
    private readonly clients: ClientsService,
    private readonly administration: ClientAdministrationService,
    private readonly validator: ClientMetadataValidator,
    private readonly issuers: TrustedIssuersService,
  ) {}

  async export(): Promise<ConfigurationDocument> {
    const clients: Record<string, unknown>[] = [];
    let cursor: string | undefined;
    do {
      const result = await this.clients.list(PAGE, cursor);
      clients.push(
        ...result.items.map((client) => ({ client_id: client.clientId, ...client.metadata })),
      );
      cursor = result.nextCursor;
    } while (cursor !== undefined);

    const trustedIssuers: Record<string, unknown>[] = [];
    cursor = undefined;
    do {
      const result = await this.issuers.list(PAGE, cursor);
      for (const entity of result.items) {
        // The id and creation time belong to this environment, not to the configuration.
        const { id: _id, created_at: _created, ...fields } = presentTrustedIssuer(entity);
        trustedIssuers.push(fields);
      }
      cursor = result.nextCursor;
    } while (cursor !== undefined);

    return {
      kind: CONFIGURATION_KIND,
      version: CONFIGURATION_VERSION,
      exported_at: new Date().toISOString(),
      clients,
      trusted_issuers: trustedIssuers,
    };
  }

  /**
   * Checks the whole document first and refuses it, naming every invalid
   * field, before anything is written; then creates or replaces each item.
   * Nothing absent from the document is deleted.
   */
  async import(document: unknown): Promise<ImportReport> {
    const { clients, issuers } = this.check(document);
    const report: ImportReport = {
      clients: { created: [], updated: [] },
      trusted_issuers: { created: [], updated: [], unchanged: [] },
    };
    for (const body of clients) {
      const clientId = body.client_id as string;
      if ((await this.clients.find(clientId)) === undefined) {
        const result = await this.administration.register(body);
        report.clients.created.push({
          client_id: clientId,
          ...(result.clientSecret !== undefined ? { client_secret: result.clientSecret } : {}),
        });
      } else {
        await this.administration.replace(clientId, body);
        report.clients.updated.push(clientId);
      }
    }
    for (const issuer of issuers) {
      const outcome = await this.issuers.upsert(issuer);
      report.trusted_issuers[outcome].push(issuer.issuer);
    }
    return report;
  }

  private check(document: unknown): {
    clients: Record<string, unknown>[];
    issuers: CreateTrustedIssuerDto[];
  } {
    if (!isObject(document) || document.kind !== CONFIGURATION_KIND) {
      throw ProblemError.badRequest(
        `not a configuration document: kind must be "${CONFIGURATION_KIND}"`,
      );
    }
    if (document.version !== CONFIGURATION_VERSION) {
      throw ProblemError.badRequest(
        `configuration version ${String(document.version)} is not supported (expected ${CONFIGURATION_VERSION})`,
      );
    }
    const errors: ProblemFieldError[] = [];
    const clients = arrayAt(document, 'clients', errors);
    const issuerBodies = arrayAt(document, 'trusted_issuers', errors);
    const grantTypes = this.administration.supportedGrantTypes();
    const seenClients = new Set<string>();
    clients.forEach((body, index) => {
      if (!isObject(body)) return;
      const pointer = `/clients/${index}`;
      if (typeof body.client_id !== 'string') {
        errors.push({ pointer: `${pointer}/client_id`, detail: 'is required to import a client' });
      } else if (seenClients.has(body.client_id)) {
        errors.push({ pointer: `${pointer}/client_id`, detail: 'appears twice in the document' });
      } else {
        seenClients.add(body.client_id);
      }
      errors.push(...problemsOf(() => this.validator.validate(body, grantTypes), pointer));
    });
    const issuers: CreateTrustedIssuerDto[] = [];
    issuerBodies.forEach((body, index) => {
      if (!isObject(body)) return;
      const pointer = `/trusted_issuers/${index}`;
      const dto = plainToInstance(CreateTrustedIssuerDto, body);
      const invalid = validateSync(dto, { whitelist: true, forbidNonWhitelisted: true });
      errors.push(...toFieldErrors(invalid, pointer));
      if (invalid.length === 0) {
        errors.push(...keySourceProblems(dto).map((error) => prefixed(error, pointer)));
      }
      issuers.push(dto);
    });
    if (errors.length > 0) throw ProblemError.badRequest('invalid configuration document', errors);
    return { clients: clients as Record<string, unknown>[], issuers };
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function arrayAt(
  document: Record<string, unknown>,
  field: string,
  errors: ProblemFieldError[],
): unknown[] {
  const value = document[field] ?? [];
  if (!Array.isArray(value)) {
    errors.push({ pointer: `/${field}`, detail: 'must be an array' });
    return [];
  }
  value.forEach((item, index) => {
    if (!isObject(item))
      errors.push({ pointer: `/${field}/${index}`, detail: 'must be an object' });
  });
  return value;
}

function problemsOf(check: () => unknown, pointer: string): ProblemFieldError[] {
  try {
    check();
    return [];
  } catch (error) {
    if (!(error instanceof ProblemError)) throw error;
    const fields = error.errors ?? [{ pointer: '', detail: error.detail ?? error.title }];
    return fields.map((field) => prefixed(field, pointer));
  }
}

function prefixed(error: ProblemFieldError, pointer: string): ProblemFieldError {
  return { pointer: `${pointer}${error.pointer}`, detail: error.detail };
}
