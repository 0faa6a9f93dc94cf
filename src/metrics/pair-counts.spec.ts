import { PairCounts } from './pair-counts.js';

describe('PairCounts', () => {
  it('when pairs are added then each pair is counted on its own', () => {
    const counts = new PairCounts();
    counts.add('client_credentials', 'a');
    counts.add('client_credentials', 'a');
    counts.add('client_credentials', 'b');
    counts.add('password', 'a');
    const seen: [string, string, number][] = [];
    counts.forEach((first, second, value) => seen.push([first, second, value]));
    expect(seen).toEqual([
      ['client_credentials', 'a', 2],
      ['client_credentials', 'b', 1],
      ['password', 'a', 1],
    ]);
  });

  it('when nothing was added then there is nothing to visit', () => {
    const seen: unknown[] = [];
    new PairCounts().forEach((...entry) => seen.push(entry));
    expect(seen).toEqual([]);
  });
});
