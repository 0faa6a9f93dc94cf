import type { CliCommand } from '../cli-command.js';
import { clientsCreateCommand } from './clients-create.command.js';
import { configExportCommand } from './config-export.command.js';
import { configImportCommand } from './config-import.command.js';
import { keysRotateCommand } from './keys-rotate.command.js';
import { migrateCommand } from './migrate.command.js';
import { usersCreateCommand } from './users-create.command.js';

export const CLI_COMMANDS: readonly CliCommand[] = [
  migrateCommand,
  clientsCreateCommand,
  usersCreateCommand,
  keysRotateCommand,
  configExportCommand,
  configImportCommand,
];
