import { writeFile } from 'node:fs/promises';
import { ConfigurationTransferService } from '../../admin/configuration/configuration-transfer.service.js';
import type { CliCommand } from '../cli-command.js';

/** Clients and trusted issuers as one JSON document, to stdout or --out. */
export const configExportCommand: CliCommand = {
  name: 'config:export',
  options: ['out'],
  usage: 'config:export [--out F]          clients and trusted issuers as JSON (no secrets)',
  async run(invocation) {
    const document = await (await invocation.context()).get(ConfigurationTransferService).export();
    const out = invocation.options.out;
    if (out === undefined) return document;
    // Clients' secrets are not in it, but redirect URIs and partner keys are: owner-only.
    await writeFile(out, `${JSON.stringify(document, null, 2)}\n`, { mode: 0o600 });
    return {
      written: out,
      clients: document.clients.length,
      trusted_issuers: document.trusted_issuers.length,
    };
  },
};
