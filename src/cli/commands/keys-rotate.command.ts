import { presentKey } from '../../admin/keys/key.presenter.js';
import { KeysService } from '../../keys/keys.service.js';
import { SIGNING_ALGORITHMS, type SigningAlgorithm } from '../../keys/signing-algorithm.js';
import { CliUsageError, type CliCommand } from '../cli-command.js';

/** As POST /admin/keys/rotate: next keys start signing, current ones retire, fresh next keys are published. */
export const keysRotateCommand: CliCommand = {
  name: 'keys:rotate',
  options: ['alg'],
  usage: `keys:rotate [--alg ALG]          rotate signing keys (${SIGNING_ALGORITHMS.join(', ')}; all by default)`,
  async run(invocation) {
    const alg = invocation.options.alg;
    if (alg !== undefined && !(SIGNING_ALGORITHMS as readonly string[]).includes(alg)) {
      throw new CliUsageError(`--alg must be one of ${SIGNING_ALGORITHMS.join(', ')}`);
    }
    const keys = (await invocation.context()).get(KeysService);
    await keys.rotate(alg === undefined ? SIGNING_ALGORITHMS : [alg as SigningAlgorithm]);
    return { items: (await keys.list()).map(presentKey) };
  },
};
