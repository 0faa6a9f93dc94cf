import { ClientAdministrationService } from '../../admin/clients/client-administration.service.js';
import { presentWrite } from '../../admin/clients/client.presenter.js';
import type { CliCommand } from '../cli-command.js';
import { readJsonInput } from '../json-input.js';

/** Registers a client from the same JSON as POST /admin/clients; the secret is shown this once. */
export const clientsCreateCommand: CliCommand = {
  name: 'clients:create',
  options: ['file'],
  usage: 'clients:create --file F|-        register a client (POST /admin/clients JSON)',
  async run(invocation) {
    const body = await readJsonInput(invocation.options.file);
    const context = await invocation.context();
    return presentWrite(await context.get(ClientAdministrationService).register(body));
  },
};
