import { ConfigurationTransferService } from '../../admin/configuration/configuration-transfer.service.js';
import type { CliCommand } from '../cli-command.js';
import { readJsonInput } from '../json-input.js';

/** Creates or replaces what a config:export document holds; refuses the whole document if any part is invalid. */
export const configImportCommand: CliCommand = {
  name: 'config:import',
  options: ['file'],
  usage: 'config:import --file F|-         create or update clients and trusted issuers',
  async run(invocation) {
    const document = await readJsonInput(invocation.options.file);
    return (await invocation.context()).get(ConfigurationTransferService).import(document);
  },
};
