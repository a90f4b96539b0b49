import { expect } from 'chai';
import { perTurn } from '../../../src/server/http/turnBatch.js';

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('perTurn: the items of one event-loop turn, handed over together', () => {
  it('runs nothing until the turn ends, then every item of the turn once, in order', async () => {
    const batches: number[][] = [];
    const add = perTurn<number>((items) => batches.push(items));
    add(1);
    add(2);
    add(3);
    expect(batches).to.deep.equal([]);
    await nextTurn();
    expect(batches).to.deep.equal([[1, 2, 3]]);
    await nextTurn();
    expect(batches).to.have.length(1);
  });

  it('starts a new batch for items of a later turn, and for items added while a batch runs', async () => {
    const batches: string[][] = [];
    const add = perTurn<string>((items) => {
      batches.push(items);
      if (items.includes('a')) add('added while running');
    });
    add('a');
    await nextTurn();
    add('b');
    await nextTurn();
    await nextTurn();
    expect(batches).to.deep.equal([['a'], ['added while running', 'b']]);
  });

  it('keeps separate batchers apart', async () => {
    const seen: string[] = [];
    const left = perTurn<string>((items) => seen.push(`left:${items.join()}`));
    const right = perTurn<string>((items) => seen.push(`right:${items.join()}`));
    left('1');
    right('2');
    left('3');
    await nextTurn();
    expect(seen).to.deep.equal(['left:1,3', 'right:2']);
  });
});
