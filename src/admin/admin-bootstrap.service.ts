import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { ClientsService } from '../clients/clients.service.js';
import { ProblemError } from '../common/problem/problem.error.js';
import { adminConfig } from '../config/admin.config.js';
import { ADMIN_SCOPE } from './auth/admin.guard.js';
import { ClientAdministrationService } from './clients/client-administration.service.js';

/**
 * The bootstrap admin client of ADMIN_CLIENT_ID / ADMIN_CLIENT_SECRET: a
 * confidential client_credentials client with scope `admin`, created on
 * start-up, or given the configured secret if it exists.
 */
@Injectable()
export class AdminBootstrapService implements OnApplicationBootstrap {
  private readonly logger = new Logger('AdminBootstrap');

  constructor(
    @Inject(adminConfig.KEY) private readonly config: ConfigType<typeof adminConfig>,
    private readonly clients: ClientsService,
    private readonly administration: ClientAdministrationService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const bootstrap = this.config.bootstrapClient;
    if (bootstrap === undefined) return;
    if ((await this.clients.find(bootstrap.clientId)) === undefined) {
      await this.registerAdminClient(bootstrap.clientId);
    }
    await this.clients.setSecret(bootstrap.clientId, bootstrap.clientSecret);
  }

  private async registerAdminClient(clientId: string): Promise<void> {
    try {
      await this.administration.register({
        client_id: clientId,
        client_name: 'Bootstrap admin client',
        grant_types: ['client_credentials'],
        scope: ADMIN_SCOPE,
        token_endpoint_auth_method: 'client_secret_basic',
      });
      this.logger.log(`created the admin client ${clientId}`);
    } catch (error) {
      // Another instance starting at the same moment created it first.
      if (!(error instanceof ProblemError && error.status === 409)) throw error;
    }
  }
}
