import { expect } from 'chai';
import {
  defaultMaxInflightBytes,
  MemoryBudget,
  type Grant,
  type Refusal,
} from '../../../src/server/http/memoryBudget.js';

const MiB = 1024 * 1024;

/** Ask for bytes; see what happened so far. */
function ask(budget: MemoryBudget, bytes: number) {
  const state: { grant?: Grant; refused?: Refusal } = {};
  const ticket = budget.request(
    bytes,
    (g) => (state.grant = g),
    (why) => (state.refused = why),
  );
  return { state, ticket };
}

describe('memory budget: bytes in flight, bounded', () => {
  it('grants while there is room, then queues in order; room given back serves the queue', () => {
    const budget = new MemoryBudget({ maxBytes: 100 * MiB, maxWaiting: 10, maxWaitMs: 60_000 });
    const a = ask(budget, 60 * MiB);
    const b = ask(budget, 50 * MiB);
    const c = ask(budget, 30 * MiB);
    expect(a.state.grant).to.not.equal(undefined);
    expect([b.state.grant, c.state.grant], 'c fits but must not pass b').to.deep.equal([undefined, undefined]);
    expect(budget.waiting).to.equal(2);
    a.state.grant!.release();
    a.state.grant!.release(); // once only
    expect(b.state.grant).to.not.equal(undefined);
    expect(c.state.grant).to.not.equal(undefined);
    expect(budget.inFlightBytes).to.equal(80 * MiB);
    b.state.grant!.release();
    c.state.grant!.release();
    expect(budget.inFlightBytes).to.equal(0);
  });

  it('keeps a reserve for small reviews: they never wait behind big ones', () => {
    const budget = new MemoryBudget({ maxBytes: 64 * MiB, maxWaiting: 10, maxWaitMs: 60_000 });
    expect(budget.reserveBytes).to.equal(8 * MiB);
    const big = ask(budget, 64 * MiB);
    const waitingBig = ask(budget, 40 * MiB);
    const small = Array.from({ length: 8 }, () => ask(budget, MiB));
    expect(big.state.grant && small.every((s) => s.state.grant)).to.not.equal(undefined);
    expect(waitingBig.state.grant).to.equal(undefined);
    // The reserve is full: the next small one waits too, and is served as soon as one comes back.
    const ninth = ask(budget, MiB);
    expect(ninth.state.grant).to.equal(undefined);
    small[0]!.state.grant!.release();
    expect(ninth.state.grant).to.not.equal(undefined);
    expect(waitingBig.state.grant).to.equal(undefined);
    big.state.grant!.release();
    expect(waitingBig.state.grant).to.not.equal(undefined);
  });

  it('refuses beyond the waiting count at once, and after the longest wait', async () => {
    const budget = new MemoryBudget({ maxBytes: 10 * MiB, reserveBytes: 0, maxWaiting: 1, maxWaitMs: 50 });
    const held = ask(budget, 10 * MiB);
    const waits = ask(budget, 5 * MiB);
    const turnedAway = ask(budget, 5 * MiB);
    expect(turnedAway.state.refused).to.equal('QueueFull');
    expect(waits.state).to.deep.equal({});
    await new Promise((r) => setTimeout(r, 120));
    expect(waits.state.refused).to.equal('WaitedTooLong');
    expect(budget.waiting).to.equal(0);
    held.state.grant!.release();
    expect(waits.state.grant, 'nothing after a refusal').to.equal(undefined);
  });

  it('forgets a cancelled wait, and gives back what a review turned out not to need', () => {
    const budget = new MemoryBudget({ maxBytes: 10 * MiB, reserveBytes: 0, maxWaiting: 5, maxWaitMs: 60_000 });
    const first = ask(budget, 10 * MiB);
    const gone = ask(budget, 8 * MiB);
    const next = ask(budget, 6 * MiB);
    gone.ticket.cancel();
    first.state.grant!.shrink(4 * MiB);
    expect(gone.state).to.deep.equal({});
    expect(next.state.grant).to.not.equal(undefined);
    expect(budget.inFlightBytes).to.equal(10 * MiB);
    first.state.grant!.shrink(8 * MiB); // never grows
    expect(budget.inFlightBytes).to.equal(10 * MiB);
  });

  it('says whether a review can ever fit, and derives its default from the heap limit', () => {
    const budget = new MemoryBudget({ maxBytes: 10 * MiB, maxWaiting: 5, maxWaitMs: 1000 });
    expect(budget.fits(10 * MiB)).to.equal(true);
    expect(budget.fits(10 * MiB + 1)).to.equal(false);
    expect(defaultMaxInflightBytes(304 * MiB)).to.equal(76 * MiB);
    expect(defaultMaxInflightBytes()).to.be.greaterThan(0);
  });
});
