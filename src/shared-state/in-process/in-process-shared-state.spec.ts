import { InProcessInvalidationBus } from './in-process-invalidation-bus.js';
import { InProcessSharedStateHealth } from './in-process-shared-state-health.js';

describe('in-process shared state', () => {
  it('when there is no Redis then the health check is always up', async () => {
    expect(await new InProcessSharedStateHealth().check()).toEqual({ up: true });
  });

  it('when an invalidation is published with one instance then no handler is called (the publisher evicts its own cache)', async () => {
    const bus = new InProcessInvalidationBus();
    const handler = vi.fn();
    bus.subscribe('clients', handler);
    await expect(bus.publish('clients', 'some-client')).resolves.toBeUndefined();
    expect(handler).not.toHaveBeenCalled();
  });
});
