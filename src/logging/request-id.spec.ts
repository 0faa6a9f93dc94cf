import type { IncomingMessage } from 'node:http';
import { requestIdOf } from './request-id.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function withHeader(value: string | string[] | undefined): IncomingMessage {
  return { headers: value === undefined ? {} : { 'x-request-id': value } } as IncomingMessage;
}

describe('requestIdOf', () => {
  it.each(['abc-123', 'f47ac10b-58cc-4372-a567-0e02b2c3d479', 'trace:span.1_2', 'a'.repeat(128)])(
    'when x-request-id is the sane token "%s" then it is kept',
    (given) => {
      expect(requestIdOf(withHeader(given))).toBe(given);
    },
  );

  it.each([
    ['absent', undefined],
    ['empty', ''],
    ['too long', 'a'.repeat(129)],
    ['with a space', 'a b'],
    ['with a line break', 'abc\ninjected'],
    ['with a quote', 'abc"def'],
    ['with non-ASCII', 'äbc'],
    ['repeated', ['a', 'b']],
  ])('when x-request-id is %s then a new UUID is made', (_, given) => {
    expect(requestIdOf(withHeader(given))).toMatch(UUID);
  });

  it('when two requests carry none then their ids differ', () => {
    expect(requestIdOf(withHeader(undefined))).not.toBe(requestIdOf(withHeader(undefined)));
  });
});
