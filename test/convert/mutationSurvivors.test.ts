/**
 * Tests written for the mutants StrykerJS left alive in src/convert/ (run against test/convert,
 * test/testing and test/converters). Each test names the mutants it kills: file:line and what the
 * mutant changed.
 * Line numbers are those of commit 9347922, where StrykerJS ran (docs/testing-converters.md).
 */
import { expect } from 'chai';
import { registry } from '../../converters/index.js';
import { between, constrained, createRegistry, defineKind, Int32, IntOrString, t, version } from '../../src/index.js';
import { convertObject, describeObject, formatIdentity } from '../../src/convert/convertObject.js';
import { decodeProblems, formatProblems, jsonType } from '../../src/convert/decode.js';
import { applyRoute, ConverterBug } from '../../src/convert/route.js';
import {
  ANNOTATIONS_LIMIT_BYTES,
  annotationsSize,
  fingerprint,
  putStash,
  restoreEntries,
  STASH_ANNOTATION,
  stashEntries,
  stashWork,
  takeStash,
} from '../../src/convert/stash.js';
import { ABSENT } from '../../src/json/path.js';
import { backendV1, backendV2, databaseV1, databaseV1alpha1 } from '../support/objects.js';
import { convert, failure, ok, wire, type Obj } from '../support/conversion.js';

const stashOf = (o: Obj) => JSON.parse(o.metadata.annotations[STASH_ANNOTATION]);
const withStash = (o: Obj, doc: unknown) => ({
  ...o,
  metadata: { ...o.metadata, annotations: { [STASH_ANNOTATION]: typeof doc === 'string' ? doc : JSON.stringify(doc) } },
});

/**
 * A two-version kind whose converters a test chooses: v1 holds spec.n, v2 spec.m (both Int32 >= 0).
 * The default converters rename the field and are exact inverses.
 */
const size = constrained(Int32, { minimum: 0 });
/** v1 also holds a, b, c and f0 to f16, which v2 has no place for (the stash keeps them). */
const fields = Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`f${i}`, size]));
const boxV1 = version(
  'v1',
  t.partial({ spec: t.partial({ n: size, a: t.partial({ k: size }), b: size, c: size, ...fields }) }),
  { storage: true },
);
const boxV2 = version('v2', t.partial({ spec: t.partial({ m: size }) }));
type Spec = { spec?: Record<string, unknown> };
const boxRegistry = (
  up: (b: Spec) => unknown = ({ spec }) => (spec ? { spec: spec.n === undefined ? {} : { m: spec.n } } : {}),
  down: (b: Spec) => unknown = ({ spec }) => (spec ? { spec: spec.m === undefined ? {} : { n: spec.m } } : {}),
) =>
  createRegistry([
    defineKind({
      group: 'box.example.com',
      kind: 'Box',
      plural: 'boxes',
      scope: 'Namespaced',
      versions: [boxV1, boxV2],
      converters: [...between(boxV1, boxV2, { up: up as never, down: down as never })],
    }),
  ]);
const box = (spec: unknown) => ({
  apiVersion: 'box.example.com/v1',
  kind: 'Box',
  metadata: { name: 'b', namespace: 'ns' },
  spec,
});

describe('mutation survivors in src/convert/', () => {
  describe('convertObject.ts: how objects are named in messages', () => {
    it('kills convertObject.ts:54 ("(unnamed)" -> ""), :55 (typeof kind === "string" -> true, "object" -> "")', () => {
      expect(formatIdentity({ kind: 7, name: undefined, namespace: 'ns' })).to.equal('object (unnamed)');
      expect(formatIdentity({ kind: 'Box', name: 'b', namespace: '' })).to.equal('Box b');
      expect(describeObject({ kind: 'Box', metadata: { name: 'b', namespace: 'ns' } })).to.equal('Box ns/b');
    });

    it('kills convertObject.ts:81 (NotAnObject message -> "")', () => {
      expect(failure(convert([1], 'stable.example.com/v2'))).to.deep.equal({
        reason: 'NotAnObject',
        message: 'the object is not a JSON object',
      });
    });

    it(
      'kills convertObject.ts:83 (the apiVersion/kind string check -> false, || -> &&, either side -> false), ' +
        ':84 (BadApiVersion reason or message -> "")',
      () => {
        for (const [apiVersion, kind] of [
          [1, 'Backend'],
          ['stable.example.com/v1', 2],
          [undefined, undefined],
        ]) {
          const r = convert({ apiVersion, kind, metadata: { name: 'w' }, hostPort: 'a:1' }, 'stable.example.com/v2');
          const f = failure(r);
          expect(f.reason).to.equal('BadApiVersion');
          expect(f.message).to.match(/: apiVersion and kind must be strings$/);
        }
        expect(failure(convert({ apiVersion: 3, kind: 'Backend' }, 'stable.example.com/v2')).message).to.equal(
          'Backend (unnamed): apiVersion and kind must be strings',
        );
      },
    );

    it('kills convertObject.ts:93 (GroupMismatch message -> "", the "(core)" fallbacks -> true/false/&&/"")', () => {
      const core = { apiVersion: 'v1', kind: 'Backend', metadata: { name: 'w' } };
      expect(failure(convert(core, 'stable.example.com/v2')).message).to.equal(
        'Backend w (v1 -> stable.example.com/v2): cannot convert between API groups (core) and stable.example.com',
      );
      expect(failure(convert(backendV1('w', 'a:1'), 'v1')).message).to.equal(
        'Backend default/w (stable.example.com/v1 -> v1): cannot convert between API groups stable.example.com and (core)',
      );
    });

    it('kills convertObject.ts:99 ("UnknownKind" -> ""), :100 ("(core)" -> ""), :110 ("UnknownVersion" -> "")', () => {
      const f = failure(convert({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' } }, 'v2'));
      expect(f.reason).to.equal('UnknownKind');
      expect(f.message).to.equal('Pod p (v1 -> v2): no converter is registered for kind Pod in group (core)');
      expect(failure(convert(backendV1('w', 'a:1'), 'stable.example.com/v3')).reason).to.equal('UnknownVersion');
    });

    it('kills convertObject.ts:116 (BadMetadata message -> ``)', () => {
      expect(failure(convert({ ...backendV1('w', 'a:1'), metadata: 5 }, 'stable.example.com/v2')).message).to.equal(
        'Backend (unnamed) (stable.example.com/v1 -> stable.example.com/v2): metadata must be an object',
      );
    });

    it('kills convertObject.ts:118 (stash "none" -> "" for an object already in the desired version)', () => {
      const r = convert(backendV1('w', 'a:1'), 'stable.example.com/v1');
      expect(r.ok && r.stash).to.equal('none');
    });
  });

  describe('convertObject.ts: results and failures', () => {
    it('kills convertObject.ts:129 (DecodeFailed paths -> undefined) and decode.ts:16 (root "" -> "Stryker was here!")', () => {
      const bad = databaseV1alpha1('db', { replicas: 'three', users: [{ name: 'a' }, { name: 7 }] });
      const f = failure(convert(bad, 'platform.example.com/v1'));
      expect(f).to.deep.include({ reason: 'DecodeFailed', version: 'v1alpha1' });
      expect(f.reason === 'DecodeFailed' && f.paths).to.deep.equal(['.spec.replicas', '.spec.users[1].name']);
    });

    it(
      'kills convertObject.ts:184 (fail(): from !== undefined && { from } -> true/false/||/===/{}): ' +
        'a failure carries `from` exactly when the source version is known',
      () => {
        const unknown = convert({ apiVersion: 'v1', kind: 'Pod' }, 'v2');
        expect(unknown).to.not.have.property('from');
        const r = convertObject(
          boxRegistry(() => {
            throw new Error('boom');
          }),
          box({ n: 1 }),
          'box.example.com/v2',
        );
        expect(r).to.deep.equal({
          ok: false,
          from: 'v1',
          failure: {
            reason: 'ConverterFailed',
            message: 'Box ns/b (box.example.com/v1 -> box.example.com/v2): converter v1 -> v2 threw: boom',
          },
        });
      },
    );

    it(
      'kills convertObject.ts:149 (level !== undefined -> true): an object holding a field its schema ' +
        'prunes (stored before the schema changed) converts, the field carried along',
      () => {
        const stale = { ...backendV1('w', 'a:1'), legacy: 1 };
        expect(ok(convert(stale, 'stable.example.com/v2'))).to.deep.include({ legacy: 1, host: 'a', port: '1' });
      },
    );

    it(
      'kills convertObject.ts:151 (the target validation -> false, "strict" -> ""), :154 ("ConverterFailed" -> ""): ' +
        'a whole object whose conversion loses a bound fails',
      () => {
        const r = convertObject(
          boxRegistry(({ spec }) => ({ spec: { m: -1, ...(spec && {}) } })),
          box({ n: 1 }),
          'box.example.com/v2',
        );
        expect(failure(r).reason).to.equal('ConverterFailed');
        expect(failure(r).message).to.contain('converting gave an object v2 does not admit (.spec.m: expected');
        // A missing required field is caught for a whole object only (strict, not prune-free).
        const noEngine = convertObject(brokenDatabase(), wire(databaseV1('db')), 'platform.example.com/v1beta1');
        expect(failure(noEngine).reason).to.equal('ConverterFailed');
        expect(failure(noEngine).message).to.contain('.spec.engine: required');
      },
    );

    it('kills convertObject.ts:141 ("prune" -> ""): a partial object is checked for pruning only', () => {
      const partial = { ...databaseV1('db'), spec: { replicas: 2, capacityBytes: 5 } };
      const r = convertObject(brokenDatabase({ keep: true }), partial, 'platform.example.com/v1beta1');
      expect(failure(r).message).to.contain(
        'does not admit (.spec.capacityBytes: not in the schema (the apiserver would prune it)); the converters',
      );
    });

    it('kills route.ts:11 and :12 (ConverterBug message and name -> ""), :42-44 (the catch block, its RangeError test and message)', () => {
      const threw = (e: unknown) =>
        failure(
          convertObject(
            boxRegistry(() => {
              throw e;
            }),
            box({ n: 1 }),
            'box.example.com/v2',
          ),
        );
      expect(threw(new TypeError('bad'))).to.deep.equal({
        reason: 'ConverterFailed',
        message: 'Box ns/b (box.example.com/v1 -> box.example.com/v2): converter v1 -> v2 threw: bad',
      });
      // Something that is no Error: its String() form (a mutant reading .message of undefined crashes).
      expect(threw(undefined).message).to.match(/converter v1 -> v2 threw: undefined$/);
      expect(threw('text').message).to.match(/converter v1 -> v2 threw: text$/);
      // Too deep is reported as such, not as a converter bug (convertObject.ts:177-178).
      expect(threw(new RangeError('Maximum call stack size exceeded'))).to.deep.equal({
        reason: 'TooDeep',
        message: 'Box ns/b (box.example.com/v1 -> box.example.com/v2): the object is nested too deeply to convert',
      });
    });

    it(
      'kills route.ts:34 (applyRouteSteps check = true -> false), :47 (if (problems.length) -> false), :51 (message -> ``): ' +
        'a hop whose output its version does not decode is reported there',
      () => {
        const r = convertObject(
          boxRegistry(() => ({ spec: { m: 'x' } })),
          { ...box({ n: 1 }), junk: 1 },
          'box.example.com/v2',
        );
        expect(failure(r).message).to.equal(
          'Box ns/b (box.example.com/v1 -> box.example.com/v2): converter v1 -> v2 produced an invalid v2 object: ' +
            '.spec.m: expected Int32, got string',
        );
      },
    );

    it('kills route.ts:23 (applyRoute check = true -> false): the trip back to the stash origin is checked too', () => {
      const reg = boxRegistry(undefined, () => ({ spec: { n: 'x' } }));
      const v2 = {
        ...box({ m: 1 }),
        apiVersion: 'box.example.com/v2',
        metadata: {
          name: 'b',
          annotations: { [STASH_ANNOTATION]: JSON.stringify({ v: 1, origin: 'v1', entries: [] }) },
        },
      };
      const f = failure(convertObject(reg, v2, 'box.example.com/v1'));
      expect(f.message).to.contain('converter v2 -> v1 produced an invalid v1 object');
    });

    it('kills convertObject.ts:162 (> ANNOTATIONS_LIMIT_BYTES -> >=): a stash taking the annotations to exactly the limit is written', () => {
      const withNote = (n: number) => {
        const o = databaseV1('db');
        return { ...o, metadata: { ...o.metadata, annotations: { note: 'x'.repeat(n) } } };
      };
      const small = ok(convert(withNote(1), 'platform.example.com/v1alpha1'));
      const stashBytes = annotationsSize(small.metadata) - annotationsSize(withNote(1).metadata);
      const fill = ANNOTATIONS_LIMIT_BYTES - stashBytes - 'note'.length;
      const exact = convert(withNote(fill), 'platform.example.com/v1alpha1');
      expect(annotationsSize(ok(exact).metadata)).to.equal(ANNOTATIONS_LIMIT_BYTES);
      const over = failure(convert(withNote(fill + 1), 'platform.example.com/v1alpha1'));
      expect(over.reason).to.equal('StashTooLarge');
      // convertObject.ts:165 (- -> +): the message gives the bytes the stash needs, not the sum.
      expect(over.message).to.contain(`need ${stashBytes} bytes in the stash annotation`);
    });

    it('kills convertObject.ts:171 ("written" -> "") and :172 (rich.problem !== undefined -> true)', () => {
      const { port: _none, ...hostOnly } = backendV2('web', 'a:b', '');
      const r = convert(hostOnly, 'stable.example.com/v1');
      expect(r.ok && r.stash).to.equal('written');
      expect(r).to.not.have.property('stashProblem');
    });
  });

  describe('convertObject.ts: what the stash restores, refuses or gives up', () => {
    it(
      'kills convertObject.ts:250-258 (the one-by-one retry of entries: condition -> false/true, <= SINGLY -> </>, ' +
        'block -> {}, filter -> entries, [e] -> [], one !== plain && shows(one) -> true/false/||/===): ' +
        'an edit contradicting one entry keeps the others',
      () => {
        const v1: Obj = databaseV1('db', { engine: 'pg:x' });
        delete v1.spec.version;
        const old = wire(ok(convert(v1, 'platform.example.com/v1alpha1')));
        expect(old.spec.image).to.equal('pg:x');
        old.spec.image = 'pg:y';
        const r = convert(old, 'platform.example.com/v1');
        expect(ok(r).spec).to.include({ engine: 'pg', version: 'y' });
        expect(ok(r).spec.maintenanceWindow).to.deep.equal(v1.spec.maintenanceWindow);
        expect(r.ok && r.stash).to.equal('restored');
      },
    );

    it(
      'kills convertObject.ts:246 (outcome() -> undefined, or always "rejected"), :261 ("restored" -> ""), ' +
        'stash.ts:89 (any = false -> true): a stash restored without writing a new one reports "restored"',
      () => {
        const { port: _none, ...hostOnly } = backendV2('web', 'a:b', '');
        const v1 = wire(ok(convert(hostOnly, 'stable.example.com/v1')));
        const r = convert(v1, 'stable.example.com/v2');
        expect(ok(r)).to.deep.equal(hostOnly);
        expect(r.ok && r.stash).to.equal('restored');
        expect(r).to.not.have.property('stashProblem');
      },
    );

    it(
      'kills convertObject.ts:264 ("superseded" -> "", problem spread -> true) and stash.ts:89 (any = false -> true): ' +
        'an edit overriding every entry supersedes the stash',
      () => {
        const { port: _none, ...hostOnly } = backendV2('web', 'a:b', '');
        const v1 = wire(ok(convert(hostOnly, 'stable.example.com/v1')));
        v1.hostPort = 'x:9';
        const r = convert(v1, 'stable.example.com/v2');
        expect(ok(r)).to.deep.include({ host: 'x', port: '9' });
        expect(r.ok && r.stash).to.equal('superseded');
        expect(r).to.not.have.property('stashProblem');
      },
    );

    it(
      'kills convertObject.ts:263 (jsonEqual(...) -> false), :265 ("superseded" -> "", problem spread -> true/false/||/===/{}): ' +
        'a source the origin cannot express starts the conversion itself',
      () => {
        // v2 -> v1 -> v2 is exact for Box; a v2 -> v1 converter that loses m when it is 7 makes the
        // plain trip back to the origin unable to reproduce an edit to m = 7.
        const reg = boxRegistry(undefined, ({ spec }) => (spec ? { spec: spec.m === 7 ? {} : { n: spec.m } } : {}));
        const stash = (entries: unknown[]) => JSON.stringify({ v: 1, origin: 'v2', entries });
        const v1 = (entries: unknown[]) => ({
          ...box({ n: 7 }),
          metadata: { name: 'b', annotations: { [STASH_ANNOTATION]: stash(entries) } },
        });
        const r = convertObject(reg, v1([]), 'box.example.com/v2');
        expect(r.ok && r.stash).to.equal('written');
        // Started from v1 itself: the v2 result holds m = 7 and a stash of origin v1 (the plain trip
        // through v2 would have started from a v2 body without m, and stashed nothing).
        expect(ok(r).spec).to.deep.equal({ m: 7 });
        expect(stashOf(ok(r)).origin).to.equal('v1');
        // With a refused entry, the problem is reported with the superseded stash.
        const refused = convertObject(
          reg,
          v1([{ p: ['spec', 'x'], v: 1, h: fingerprint(ABSENT) }]),
          'box.example.com/v2',
        );
        expect(refused.ok && refused.stash).to.equal('rejected');
        expect(refused.ok && refused.stashProblem).to.match(/^stash entries refused: /);
      },
    );

    it(
      'kills convertObject.ts:236 (restored !== plain && !valid -> true/||), :239 (if (refused.length) -> true), ' +
        ':261 (problem spread -> true/false/||/===/{}): refusing entries is reported only when some are refused',
      () => {
        const forge = (entries: unknown[]) =>
          withStash(wire(databaseV1alpha1('db', { replicas: 5 })), { v: 1, origin: 'v1', entries });
        const window = { p: ['spec', 'maintenanceWindow'], v: { day: 'Monday', startHour: 2 }, h: fingerprint(ABSENT) };
        const good = convert(forge([window]), 'platform.example.com/v1');
        expect(good.ok && good.stash).to.equal('restored');
        expect(good).to.not.have.property('stashProblem');
        const mixed = convert(
          forge([window, { p: ['spec', 'replicas'], v: 1000, h: fingerprint(5) }]),
          'platform.example.com/v1',
        );
        expect(ok(mixed).spec.maintenanceWindow).to.deep.equal(window.v);
        expect(mixed.ok && mixed.stash).to.equal('rejected');
        expect(mixed.ok && mixed.stashProblem).to.equal(
          'stash entries refused: restoring them would give a v1 object its schema does not admit (.spec.replicas: expected Int32(minimum=0, maximum=100))',
        );
      },
    );

    it(
      'kills convertObject.ts:241 (!refused.some -> refused.every), :284 (Math.min -> Math.max), :285 (i < n -> i <= n): ' +
        'an entry holding a refused place is refused, its neighbours are kept',
      () => {
        // Two places refused (.spec.a.k under the entry for .spec.a, and .spec.c), one entry valid (.spec.b).
        const entries = [
          { p: ['spec', 'a'], v: { k: -1 }, h: fingerprint(ABSENT) },
          { p: ['spec', 'b'], v: 2, h: fingerprint(ABSENT) },
          { p: ['spec', 'c'], v: -1, h: fingerprint(ABSENT) },
        ];
        const v2 = { ...box({ m: 1 }), apiVersion: 'box.example.com/v2' };
        const r = convertObject(boxRegistry(), withStash(v2, { v: 1, origin: 'v1', entries }), 'box.example.com/v1');
        expect(ok(r).spec).to.deep.equal({ n: 1, b: 2 });
        expect(r.ok && r.stashProblem)
          .to.contain('.spec.a.k: expected')
          .and.contain('.spec.c: expected');
      },
    );

    it(
      'kills convertObject.ts:277 (newProblems key -> undefined or ``): a new problem counts even where the ' +
        'plain trip had others',
      () => {
        // A partial object (no engine, no storageBytes: missing in v1 too) with a forged entry out of bounds.
        const partial = { ...databaseV1alpha1('db'), spec: { replicas: 5 } };
        const r = convert(
          withStash(partial, {
            v: 1,
            origin: 'v1',
            entries: [{ p: ['spec', 'replicas'], v: 1000, h: fingerprint(5) }],
          }),
          'platform.example.com/v1',
        );
        expect(ok(r).spec).to.deep.equal({ replicas: 5 });
        expect(r.ok && r.stash).to.equal('rejected');
      },
    );

    it(
      'kills convertObject.ts:146 (level === "strict" -> true), :279 (whole || kind !== "missing": -> true/false/===/""/||): ' +
        'a partial object may get a stashed value that lacks required fields',
      () => {
        const partial = { ...databaseV1alpha1('db'), spec: { replicas: 5 } };
        const entry = { p: ['spec', 'maintenanceWindow'], v: { durationMinutes: 5 }, h: fingerprint(ABSENT) };
        const r = convert(withStash(partial, { v: 1, origin: 'v1', entries: [entry] }), 'platform.example.com/v1');
        expect(ok(r).spec).to.deep.equal({ replicas: 5, maintenanceWindow: { durationMinutes: 5 } });
        expect(r.ok && r.stash).to.equal('restored');
        // A whole object may not.
        const whole = convert(
          withStash(wire(databaseV1alpha1('db')), { v: 1, origin: 'v1', entries: [entry] }),
          'platform.example.com/v1',
        );
        expect(ok(whole).spec).to.not.have.property('maintenanceWindow');
        expect(whole.ok && whole.stash).to.equal('rejected');
      },
    );

    it(
      'kills convertObject.ts:305 (i >= 0 -> false / i > 0, loop body -> {}), :307 (continue -> always): ' +
        'the stash is kept relative to the version nearest the target that holds everything',
      () => {
        const v1: Obj = databaseV1('db', { engine: 'pg:x' });
        delete v1.spec.version;
        delete v1.spec.maintenanceWindow;
        const direct = ok(convert(v1, 'platform.example.com/v1alpha1'));
        expect(stashOf(direct).origin).to.equal('v1beta1');
        const viaBeta = ok(
          convert(wire(ok(convert(v1, 'platform.example.com/v1beta1'))), 'platform.example.com/v1alpha1'),
        );
        expect(stashOf(direct)).to.deep.equal(stashOf(viaBeta));
      },
    );

    it(
      'kills convertObject.ts:303 (the loss-finding trip with check false -> true): a trip back that its version ' +
        'would not decode is stashed as a difference, not reported as a bug',
      () => {
        // v2 -> v1 writes n as a string for m = 3: a bug only seen on the way back.
        const reg = boxRegistry(undefined, ({ spec }) =>
          spec ? { spec: { n: spec.m === 3 ? 'three' : spec.m } } : {},
        );
        const r = convertObject(reg, box({ n: 3 }), 'box.example.com/v2');
        expect(ok(r).spec).to.deep.equal({ m: 3 });
        expect(stashOf(ok(r)).entries).to.deep.equal([{ p: ['spec', 'n'], h: fingerprint('three'), v: 3 }]);
      },
    );
  });

  describe('more of convertObject.ts and route.ts', () => {
    it('kills convertObject.ts:64 (lastDesired?.apiVersion -> lastDesired.apiVersion): the first conversion of a process works', async () => {
      // A fresh instance of the module: nothing split and cached yet.
      const url = new URL(`../../src/convert/convertObject.js?first-call=${Date.now()}`, import.meta.url).href;
      const fresh = (await import(url)) as { convertObject: typeof convertObject };
      expect(ok(fresh.convertObject(registry, backendV1('w', 'a:1'), 'stable.example.com/v2'))).to.include({
        host: 'a',
        port: '1',
      });
    });

    it('kills convertObject.ts:228 ("none" -> ""): a conversion without a stash that loses nothing reports "none"', () => {
      const r = convert(backendV1('w', 'a:1'), 'stable.example.com/v2');
      expect(r.ok && r.stash).to.equal('none');
    });

    it('kills convertObject.ts:177 (e instanceof RangeError -> true): an error that is no converter bug is not called "too deep"', () => {
      const getterThrows = () => ({
        get spec(): never {
          throw new TypeError('a getter failed');
        },
      });
      expect(() => convertObject(boxRegistry(getterThrows), box({ n: 1 }), 'box.example.com/v2')).to.throw(
        TypeError,
        'a getter failed',
      );
    });

    it(
      'kills convertObject.ts:250 (entries.length <= SINGLY -> true, or < SINGLY): entries are retried one by one ' +
        'up to 16 of them, not more',
      () => {
        const withFields = (count: number) => {
          const entries = [
            ...Array.from({ length: count }, (_, i) => ({ p: ['spec', `f${i}`], v: i, h: fingerprint(ABSENT) })),
            // Contradicts what v2 shows (m = 1): restored alone or with the others, it never fits.
            { p: ['spec', 'n'], v: 2, h: fingerprint(1) },
          ];
          const v2 = { ...box({ m: 1 }), apiVersion: 'box.example.com/v2' };
          return ok(convertObject(boxRegistry(), withStash(v2, { v: 1, origin: 'v1', entries }), 'box.example.com/v1'));
        };
        // 15 + 1 = 16 entries: retried one by one, the 15 that fit are restored.
        expect(Object.keys(withFields(15).spec)).to.have.length(16);
        // 16 + 1 = 17 entries: too many to retry, the stash is superseded.
        expect(withFields(16).spec).to.deep.equal({ n: 1 });
      },
    );

    it('kills route.ts:12 (name "ConverterBug" -> ""): applyRoute reports a converter that throws as a ConverterBug', () => {
      const kind = boxRegistry(() => {
        throw new Error('boom');
      }).kinds[0]!;
      let caught: unknown;
      try {
        applyRoute(kind, 'v1', 'v2', { spec: { n: 1 } });
      } catch (e) {
        caught = e;
      }
      expect(caught).to.be.instanceOf(ConverterBug);
      expect(caught).to.include({
        name: 'ConverterBug',
        from: 'v1',
        to: 'v2',
        message: 'converter v1 -> v2 threw: boom',
      });
    });

    it(
      'kills route.ts:23 (applyRoute check = true -> false): a converter giving an invalid object on the trip that ' +
        'checks a restored stash is reported',
      () => {
        // a -> b writes x as a string whenever z is "k": only the restored form (z = "k") shows the bug,
        // on the first hop of the trip c <- b <- a that checks it.
        const reg = triRegistry({
          aToB: ({ spec }) => (spec?.z === 'k' ? { spec: { x: 'bad' } } : keep('x', 'z')({ spec })),
        });
        const stash = JSON.stringify({
          v: 1,
          origin: 'a',
          entries: [{ p: ['spec', 'z'], v: 'k', h: fingerprint(ABSENT) }],
        });
        const f = failure(convertObject(reg, tri('c', { x: 1 }, { [STASH_ANNOTATION]: stash }), 'tri.example.com/a'));
        expect(f.reason).to.equal('ConverterFailed');
        expect(f.message).to.contain('converter a -> b produced an invalid b object: .spec.x: expected Int32');
      },
    );

    it(
      'kills convertObject.ts:263 (jsonEqual(origin -> source of the plain trip, body) -> false): when the plain ' +
        'trip back reproduces the object, the conversion starts from the origin',
      () => {
        // c -> b invents y; starting from the origin a (c -> b -> a, then a -> b) it does not.
        const reg = triRegistry({
          cToB: ({ spec }) => ({ spec: { ...(keep('x')({ spec }) as Spec).spec, y: 'from-c' } }),
        });
        const stash = JSON.stringify({ v: 1, origin: 'a', entries: [] });
        const r = convertObject(reg, tri('c', { x: 1 }, { [STASH_ANNOTATION]: stash }), 'tri.example.com/b');
        expect(ok(r).spec).to.deep.equal({ x: 1 });
        expect(r.ok && r.stash).to.equal('superseded');
      },
    );

    it(
      'kills convertObject.ts:310 (the trip from the target back to the nearer origin with check false -> true): ' +
        'what it gets wrong is stashed, not reported as a bug',
      () => {
        // a -> c loses z, which b still holds: the stash is kept relative to b. c -> b gives y a number
        // for x = 3, which b would not decode: only the trip that finds the losses sees it.
        const reg = triRegistry({
          cToB: ({ spec }) => (spec?.x === 3 ? { spec: { x: 3, y: 3 } } : keep('x')({ spec })),
        });
        const r = convertObject(reg, tri('a', { x: 3, z: 'k' }), 'tri.example.com/c');
        expect(ok(r).spec).to.deep.equal({ x: 3 });
        expect(stashOf(ok(r))).to.deep.include({ origin: 'b' });
      },
    );
    it(
      'kills convertObject.ts:265 ("superseded" -> ""): a source whose edits the origin cannot express supersedes ' +
        'the stash and starts the conversion',
      () => {
        // a -> b loses x = 7, so the plain trip c -> b -> a -> b -> c cannot reproduce the object.
        const reg = triRegistry({ aToB: ({ spec }) => (spec?.x === 7 ? { spec: {} } : keep('x', 'z')({ spec })) });
        const stash = JSON.stringify({ v: 1, origin: 'a', entries: [] });
        const r = convertObject(reg, tri('c', { x: 7 }, { [STASH_ANNOTATION]: stash }), 'tri.example.com/b');
        expect(ok(r).spec).to.deep.equal({ x: 7 });
        expect(r.ok && r.stash).to.equal('superseded');
      },
    );

    it(
      'kills convertObject.ts:307 (the trip from a step back to the source with check false -> true): a step whose ' +
        'trip back its version would not decode is simply not the stash origin',
      () => {
        // b -> a writes x as a string when z is "k": a bug only the search for the nearest origin sees.
        const reg = triRegistry({
          bToA: ({ spec }) => (spec?.z === 'k' ? { spec: { x: 'bad' } } : keep('x', 'z')({ spec })),
        });
        const r = convertObject(reg, tri('a', { x: 3, z: 'k' }), 'tri.example.com/c');
        expect(ok(r).spec).to.deep.equal({ x: 3 });
        expect(stashOf(ok(r))).to.deep.include({ origin: 'a', entries: [{ p: ['spec', 'z'], h: '-', v: 'k' }] });
      },
    );
  });

  describe('decode.ts', () => {
    it(
      'kills decode.ts:23 (problems = [] -> ["Stryker was here"]), :26 (duplicate paths kept), :45 ' +
        '(union keys in the path: "union" -> "" or false)',
      () => {
        const v1alpha1 = registry.lookup('platform.example.com', 'Database')!.versions.get('v1alpha1')!.decoder;
        expect(decodeProblems(v1alpha1, { spec: { port: true, backupSchedule: 5 } })).to.deep.equal([
          { path: '.spec.port', expected: 'IntOrString', found: 'boolean' },
          { path: '.spec.backupSchedule', expected: 'string | null', found: 'integer' },
        ]);
      },
    );

    it('kills decode.ts:50 ("(root)" -> "") and :54 (tuple keys: parent === "tuple" -> false, "tuple" -> "")', () => {
      expect(decodeProblems(t.string, 5)).to.deep.equal([{ path: '(root)', expected: 'string', found: 'integer' }]);
      expect(decodeProblems(t.tuple([t.string, IntOrString]), ['a', null])).to.deep.equal([
        { path: '[1]', expected: 'IntOrString', found: 'null' },
      ]);
      expect(decodeProblems(t.string, 5, '.x')[0]!.path).to.equal('.x');
    });

    it('kills decode.ts:57-61 (every jsonType case -> false, and its names -> "")', () => {
      expect([null, undefined, [1], 5n, 5, 5.5, 'a', true, {}].map(jsonType)).to.deep.equal([
        'null',
        'nothing',
        'array',
        'integer',
        'integer',
        'number',
        'string',
        'boolean',
        'object',
      ]);
    });

    it('kills decode.ts:66 (slice(0, limit) dropped), :67 (the "and N more" suffix: >, >=, <=, true, false, - -> +, ``), :68 (join "; " -> "")', () => {
      const p = (i: number) => ({ path: `.f${i}`, expected: 'string', found: 'integer' });
      const all = [p(1), p(2), p(3), p(4), p(5), p(6), p(7)];
      expect(formatProblems(all.slice(0, 2))).to.equal(
        '.f1: expected string, got integer; .f2: expected string, got integer',
      );
      expect(formatProblems(all.slice(0, 5))).to.not.contain('more');
      expect(formatProblems(all)).to.match(/\.f5: expected string, got integer; and 2 more$/);
      expect(formatProblems(all, 6)).to.match(/\.f6: expected string, got integer; and 1 more$/);
    });
  });

  describe('stash.ts', () => {
    it('kills stash.ts:26 (STASH_ANNOTATION -> ""): the annotation is crdconv.io/stash', () => {
      const { port: _none, ...hostOnly } = backendV2('web', 'a:b', '');
      expect(Object.keys(ok(convert(hostOnly, 'stable.example.com/v1')).metadata.annotations)).to.deep.equal([
        'crdconv.io/stash',
      ]);
    });

    it('kills stash.ts:57 ("-" -> ""), :60 (slice(0, 16) dropped): fingerprints keep their stored form', () => {
      expect(fingerprint(ABSENT)).to.equal('-');
      expect(fingerprint('pg')).to.equal('G7tUDJ-0BY64v1Sb');
    });

    it('kills stash.ts:59, :125, :130 (stashWork += -> -=): the work counters count up', () => {
      const before = { ...stashWork };
      fingerprint('abc');
      expect(stashWork.hashed - before.hashed).to.equal(5);
      restoreEntries({ a: [1, 2, 3], b: 1 }, [{ p: ['a', 0], v: 9, h: fingerprint(1), n: 3 }]);
      expect(stashWork.copied - before.copied).to.equal(5);
    });

    it('kills stash.ts:66 (slice(0, -1) -> slice(0, +1)) and :70 (v written for an absent original)', () => {
      const original = { spec: { users: [{ name: 'a' }, { name: 'b' }] } };
      const [deep, absent] = stashEntries(original, [
        { path: ['spec', 'users', 1], left: { name: 'b' }, right: ABSENT },
        { path: ['spec', 'x'], left: ABSENT, right: 1 },
      ]);
      expect(deep).to.deep.equal({ p: ['spec', 'users', 1], v: { name: 'b' }, h: '-', n: 2 });
      expect(absent).to.deep.equal({ p: ['spec', 'x'], h: fingerprint(1) });
    });

    it(
      'kills stash.ts:97 (array entries: length, key type and value checks -> false), :98 (object entries: ' +
        'parent and key checks -> false or &&), :124 (at.slice() -> at: the input is copied, not changed)',
      () => {
        const body = { l: ['x', 'y'], o: { a: 1 }, s: 'text' };
        const keep = (entry: object) =>
          expect(restoreEntries(body, [entry as never]), JSON.stringify(entry)).to.equal(body);
        keep({ p: ['l', 0], v: 'z', h: fingerprint('x'), n: 3 });
        keep({ p: ['l', 'a'], v: 'z', h: fingerprint(ABSENT), n: 2 });
        keep({ p: ['l', 0], h: fingerprint('x'), n: 2 });
        keep({ p: ['o', 0], v: 2, h: fingerprint(ABSENT) });
        keep({ p: ['s', 'a'], v: 2, h: fingerprint(ABSENT) });
        keep({ p: ['s', 0], v: 2, h: fingerprint(ABSENT) });
        const out = restoreEntries(body, [{ p: ['l', 1], v: 'w', h: fingerprint('y'), n: 2 }]);
        expect(out).to.deep.equal({ ...body, l: ['x', 'w'] });
        expect(body.l).to.deep.equal(['x', 'y']);
      },
    );

    it('kills stash.ts:149 (takeStash of metadata that is no object: { kind: "none" } -> {} or "")', () => {
      for (const metadata of [null, ABSENT, 'x'])
        expect(takeStash(metadata)).to.deep.equal({ stash: { kind: 'none' }, metadata });
    });

    it(
      'kills stash.ts:158 (keys(rest).length > 0 -> false) and :161 (&& -> ||, either side -> true): ' +
        'what was added beside the stash after it was written stays',
      () => {
        const stash = { origin: 'v1', entries: [] };
        // The framework created the annotations, the user added one: it stays.
        const put = putStash({ name: 'x' }, stash);
        const added = { ...put, annotations: { ...(put.annotations as object), mine: 'y' } };
        expect(takeStash(added).metadata).to.deep.equal({ name: 'x', annotations: { mine: 'y' } });
        // The framework created the metadata, the user named the object: the name stays.
        const created = { ...putStash(ABSENT, stash), name: 'x' };
        expect(takeStash(created).metadata).to.deep.equal({ name: 'x' });
        // Empty metadata comes back empty, not absent.
        expect(takeStash(putStash({}, stash)).metadata).to.deep.equal({});
      },
    );

    it('kills stash.ts:191 (non-object annotations -> counted) and :194 (typeof v === "string" -> true)', () => {
      expect(annotationsSize({ annotations: null })).to.equal(0);
      expect(annotationsSize({ annotations: 'abc' })).to.equal(0);
      expect(annotationsSize({ annotations: { a: 5, bc: 'é' } })).to.equal(5);
    });

    it('kills stash.ts:199-221 (each check of a stash document -> false or &&, and its reason -> ""): the reason names what is wrong', () => {
      const reason = (value: unknown) => {
        const taken = takeStash({ annotations: { [STASH_ANNOTATION]: value } });
        return taken.stash.kind === 'malformed' ? taken.stash.reason : taken.stash.kind;
      };
      const doc = (o: object) => JSON.stringify({ v: 1, origin: 'v1', entries: [], ...o });
      const entry = (e: object) => doc({ entries: [{ p: ['a'], h: '-', ...e }] });
      expect(reason(5)).to.equal('the annotation is not a string');
      expect(reason('[]')).to.equal('the annotation is not a version 1 stash document');
      expect(reason('5')).to.equal('the annotation is not a version 1 stash document');
      expect(reason(doc({ v: 2 }))).to.equal('the annotation is not a version 1 stash document');
      expect(reason(doc({ origin: 1 }))).to.equal('the stash has no origin or entries');
      expect(reason(doc({ entries: {} }))).to.equal('the stash has no origin or entries');
      expect(reason(doc({ entries: [5] }))).to.equal('a stash entry has no path or fingerprint');
      expect(reason(entry({ h: 1 }))).to.equal('a stash entry has no path or fingerprint');
      expect(reason(entry({ p: 'a' }))).to.equal('a stash entry has no path or fingerprint');
      for (const p of [[-1], [1.5], [true], [null], ['a', -2]])
        expect(reason(entry({ p })), JSON.stringify(p)).to.equal('a stash entry has a malformed path');
      expect(reason(entry({ p: ['a', 0, 'b'] }))).to.equal('found');
      expect(reason(entry({ n: '2' }))).to.equal('a stash entry has a malformed array length');
      expect(reason(entry({ n: 2 }))).to.equal('found');
      for (const meta of [5, 'x', { annotations: 'x' }, { metadata: 'x' }])
        expect(reason(doc({ meta })), JSON.stringify(meta)).to.equal('the stash has malformed bookkeeping');
      expect(reason(doc({ meta: { annotations: 'null', metadata: 'absent' } }))).to.equal('found');
    });
  });
});

/**
 * A three-version kind a -> b -> c (a the storage version): spec.x in all, spec.z in a and b,
 * spec.y in b only. The converters between b and c are the test's; by default every converter
 * carries what its target holds.
 */
const triA = version('a', t.partial({ spec: t.partial({ x: size, z: t.string }) }), { storage: true });
const triB = version('b', t.partial({ spec: t.partial({ x: size, y: t.string, z: t.string }) }));
const triC = version('c', t.partial({ spec: t.partial({ x: size }) }));
const keep =
  (...keys: string[]) =>
  ({ spec }: Spec) =>
    spec ? { spec: Object.fromEntries(keys.filter((k) => spec[k] !== undefined).map((k) => [k, spec[k]])) } : {};
function triRegistry(
  c: { aToB?: (b: Spec) => unknown; bToA?: (b: Spec) => unknown; cToB?: (b: Spec) => unknown } = {},
) {
  return createRegistry([
    defineKind({
      group: 'tri.example.com',
      kind: 'Tri',
      plural: 'tris',
      scope: 'Namespaced',
      versions: [triA, triB, triC],
      converters: [
        ...between(triA, triB, { up: (c.aToB ?? keep('x', 'z')) as never, down: (c.bToA ?? keep('x', 'z')) as never }),
        ...between(triB, triC, { up: keep('x') as never, down: (c.cToB ?? keep('x')) as never }),
      ],
    }),
  ]);
}
const tri = (v: string, spec: unknown, annotations?: Record<string, string>) => ({
  apiVersion: `tri.example.com/${v}`,
  kind: 'Tri',
  metadata: { name: 't', ...(annotations && { annotations }) },
  spec,
});

/**
 * The shipped Database with a broken v1 -> v1beta1 converter: it drops spec.engine, or (keep)
 * leaves capacityBytes behind beside storageBytes.
 */
function brokenDatabase(options: { keep?: boolean } = {}) {
  const [kind] = registry.kinds.filter((k) => k.def.kind === 'Database');
  const def = kind!.def;
  const converters = def.converters.map((c) =>
    c.from === 'v1' && c.to === 'v1beta1'
      ? {
          ...c,
          convert: (b: never) => {
            const out = c.convert(b) as Obj;
            if (options.keep) return { ...out, spec: { ...out.spec, capacityBytes: (b as Obj).spec.capacityBytes } };
            const { engine: _dropped, ...spec } = out.spec;
            return { ...out, spec };
          },
        }
      : c,
  );
  return createRegistry([{ ...def, converters }]);
}
