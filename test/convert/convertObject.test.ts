import { expect } from 'chai';
import { kinds } from '../../converters/index.js';
import { createRegistry } from '../../src/kinds/registry.js';
import { convertObject } from '../../src/convert/convertObject.js';
import { fingerprint, STASH_ANNOTATION } from '../../src/convert/stash.js';
import { ABSENT } from '../../src/json/path.js';
import { stringifyJson } from '../../src/json/index.js';
import { backendV1, backendV2, cronJobV1, databaseV1, databaseV1alpha1 } from '../support/objects.js';
import { convert, failure, ok, wire, type Obj } from '../support/conversion.js';

describe('convertObject', () => {
  describe('the e2e example (Backend)', () => {
    it('splits localhost:8080 into host and port and back', () => {
      const v2 = ok(convert(backendV1('web', 'localhost:8080'), 'stable.example.com/v2'));
      expect(v2).to.deep.include({
        apiVersion: 'stable.example.com/v2',
        kind: 'Backend',
        host: 'localhost',
        port: '8080',
      });
      expect(v2).to.not.have.property('hostPort');
      expect(v2.metadata).to.deep.equal(backendV1('web', '').metadata);
      expect(ok(convert(v2, 'stable.example.com/v1'))).to.deep.equal(backendV1('web', 'localhost:8080'));
    });

    for (const hostPort of ['localhost', 'a:b:c', '[::1]:80', ':', '', 'host:']) {
      it(`keeps hostPort ${JSON.stringify(hostPort)} through v2 and back`, () => {
        const v2 = ok(convert(backendV1('web', hostPort), 'stable.example.com/v2'));
        expect(ok(convert(wire(v2), 'stable.example.com/v1'))).to.deep.equal(backendV1('web', hostPort));
      });
    }

    it('stashes what v1 cannot tell apart (a host holding a colon, no port) and restores it', () => {
      const { port: _none, ...original } = backendV2('web', 'a:b', '');
      const v1 = ok(convert(original, 'stable.example.com/v1'));
      expect(v1.hostPort).to.equal('a:b');
      expect(v1.metadata.annotations).to.have.property(STASH_ANNOTATION);
      const back = ok(convert(wire(v1), 'stable.example.com/v2'));
      expect(back).to.deep.equal(original);
    });

    it('lets an edit made through v1 win over the stash', () => {
      const { port: _none, ...hostOnly } = backendV2('web', 'a:b', '');
      const v1 = ok(convert(hostOnly, 'stable.example.com/v1'));
      const edited = { ...wire(v1), hostPort: 'x:9' };
      const back = ok(convert(edited, 'stable.example.com/v2'));
      expect(back).to.deep.include({ host: 'x', port: '9' });
      expect(back.metadata.annotations ?? {}).to.not.have.property(STASH_ANNOTATION);
    });

    it('never mixes a stashed value into a partial edit', () => {
      // host "a:b" without a port is stashed; an edit through v1 must come back exactly as edited.
      const { port: _none, ...hostOnly } = backendV2('web', 'a:b', '');
      const v1 = ok(convert(hostOnly, 'stable.example.com/v1'));
      const edited = { ...wire(v1), hostPort: 'a:d' };
      const v2 = ok(convert(edited, 'stable.example.com/v2'));
      expect(v2).to.deep.include({ host: 'a', port: 'd' });
      expect(ok(convert(wire(v2), 'stable.example.com/v1')).hostPort).to.equal('a:d');
    });
  });

  describe('the kubebuilder CronJob', () => {
    it('structures a five-field schedule, * meaning absent', () => {
      const v2 = ok(convert(cronJobV1('c', '*/5 1 * * 1-5'), 'batch.tutorial.kubebuilder.io/v2'));
      expect(v2.spec.schedule).to.deep.equal({ minute: '*/5', hour: '1', dayOfWeek: '1-5' });
      expect(v2.spec.jobTemplate).to.deep.equal(cronJobV1('c', '').spec.jobTemplate);
    });

    for (const schedule of ['@hourly', '0  1 * * *', ' 0 1 * * * ', '@every 5m', '\t@every  90m ', ' @daily']) {
      it(`round-trips ${JSON.stringify(schedule)} exactly through v2`, () => {
        const v2 = ok(convert(cronJobV1('c', schedule), 'batch.tutorial.kubebuilder.io/v2'));
        expect(ok(convert(wire(v2), 'batch.tutorial.kubebuilder.io/v1'))).to.deep.equal(cronJobV1('c', schedule));
      });
    }

    it('gives @hourly its meaning in v2', () => {
      expect(ok(convert(cronJobV1('c', '@hourly'), 'batch.tutorial.kubebuilder.io/v2')).spec.schedule).to.deep.equal({
        minute: '0',
      });
    });

    it('keeps an explicit "*" through v1 and back', () => {
      const v2 = {
        ...cronJobV1('c', ''),
        apiVersion: 'batch.tutorial.kubebuilder.io/v2',
        spec: { ...cronJobV1('c', '').spec, schedule: { minute: '*', hour: '2' } },
      };
      const v1 = ok(convert(v2, 'batch.tutorial.kubebuilder.io/v1'));
      expect(v1.spec.schedule).to.equal('* 2 * * *');
      expect(ok(convert(wire(v1), 'batch.tutorial.kubebuilder.io/v2'))).to.deep.equal(v2);
    });
  });

  describe('the three-version Database', () => {
    it('goes v1alpha1 -> v1 in two hops: image split, storageBytes renamed', () => {
      const v1 = ok(convert(databaseV1alpha1('db'), 'platform.example.com/v1'));
      expect(v1.spec).to.deep.equal({
        engine: 'registry:5000/postgres',
        version: '16.2',
        capacityBytes: 10737418240,
        port: 5432,
      });
      expect(v1.metadata.annotations).to.equal(undefined);
    });

    it('keeps int64 values to the last digit', () => {
      const v1alpha1 = ok(convert(databaseV1('db'), 'platform.example.com/v1alpha1'));
      expect(v1alpha1.spec.storageBytes).to.equal(9223372036854775807n);
      expect(stringifyJson(v1alpha1))
        .to.contain('"storageBytes":9223372036854775807')
        .and.contain('"observedGeneration":9007199254740993');
    });

    it('stashes the v1-only maintenanceWindow on the way down and restores it on the way up', () => {
      const original = databaseV1('db');
      const old = ok(convert(original, 'platform.example.com/v1alpha1'));
      expect(old.spec).to.not.have.property('maintenanceWindow');
      expect(old.metadata.annotations[STASH_ANNOTATION]).to.be.a('string');
      const back = ok(convert(wire(old), 'platform.example.com/v1'));
      expect(back).to.deep.equal(wire(original));
      expect(back.metadata).to.not.have.property('annotations');
    });

    it('routes through the stash: v1 -> v1alpha1 -> v1beta1 equals v1 -> v1beta1', () => {
      const original = databaseV1('db');
      const direct = ok(convert(original, 'platform.example.com/v1beta1'));
      const viaAlpha = ok(
        convert(wire(ok(convert(original, 'platform.example.com/v1alpha1'))), 'platform.example.com/v1beta1'),
      );
      expect(wire(viaAlpha)).to.deep.equal(wire(direct));
    });

    it('keeps the stash when an unrelated field is edited through the old version', () => {
      const old = wire(ok(convert(databaseV1('db'), 'platform.example.com/v1alpha1')));
      old.spec.replicas = 5;
      const back = ok(convert(old, 'platform.example.com/v1'));
      expect(back.spec.replicas).to.equal(5);
      expect(back.spec.maintenanceWindow).to.deep.equal({ day: 'Sunday', startHour: 3, durationMinutes: 90 });
    });

    it('passes __proto__ and constructor keys of a free-keyed map through as plain data', () => {
      const old = ok(convert(databaseV1('db'), 'platform.example.com/v1alpha1'));
      expect(Object.getOwnPropertyNames(old.spec.parameters)).to.have.members([
        'max_connections',
        '__proto__',
        'constructor',
      ]);
      expect(Object.getPrototypeOf(old.spec.parameters)).to.equal(Object.prototype);
      expect(stringifyJson(old.spec.parameters)).to.equal(
        '{"max_connections":"200","__proto__":"x","constructor":"y"}',
      );
    });

    it('fails a stash that would exceed the apiserver annotation limit, instead of dropping data', () => {
      const big = databaseV1('db');
      big.metadata = { ...big.metadata, annotations: { note: 'x'.repeat(256 * 1024 - 40) } } as typeof big.metadata;
      const f = failure(convert(big, 'platform.example.com/v1alpha1'));
      expect(f.reason).to.equal('StashTooLarge');
      expect(f.message).to.match(/Database default\/db .*262144 bytes/);
    });
  });

  describe('partial objects (server-side apply)', () => {
    it('converts an object with no spec and null metadata, and back', () => {
      const partial = { apiVersion: 'platform.example.com/v1alpha1', kind: 'Database', metadata: null };
      const v1 = ok(convert(partial, 'platform.example.com/v1'));
      expect(v1).to.deep.equal({ apiVersion: 'platform.example.com/v1', kind: 'Database', metadata: null });
    });

    it('converts a spec missing required fields; missing stays missing', () => {
      const partial = {
        apiVersion: 'platform.example.com/v1',
        kind: 'Database',
        metadata: { name: 'x' },
        spec: { replicas: 2 },
      };
      expect(ok(convert(partial, 'platform.example.com/v1alpha1'))).to.deep.equal({
        ...partial,
        apiVersion: 'platform.example.com/v1alpha1',
      });
    });

    it('stashes on an object without metadata and returns it without metadata', () => {
      const partial = {
        apiVersion: 'platform.example.com/v1',
        kind: 'Database',
        spec: { maintenanceWindow: { day: 'Monday', startHour: 1 } },
      };
      const old = ok(convert(partial, 'platform.example.com/v1beta1'));
      expect(old.metadata.annotations).to.have.property(STASH_ANNOTATION);
      expect(ok(convert(wire(old), 'platform.example.com/v1'))).to.deep.equal(partial);
    });
  });

  describe('errors name the object, the versions and the field', () => {
    it('reports a decode failure with its path and the expected type, not the value', () => {
      const bad = databaseV1alpha1('db', { replicas: 'three', users: [{ name: 'a' }, { name: 7 }] });
      const f = failure(convert(bad, 'platform.example.com/v1'));
      expect(f.reason).to.equal('DecodeFailed');
      expect(f.message).to.contain('Database default/db (platform.example.com/v1alpha1 -> platform.example.com/v1)');
      expect(f.message).to.contain('.spec.replicas: expected Int32');
      expect(f.message).to.contain('got string');
      expect(f.message).to.contain('.spec.users[1].name: expected');
      expect(f.message).to.not.contain('three');
    });

    it('names an unknown kind, an unknown version and a group mismatch', () => {
      expect(
        failure(
          convert(
            { apiVersion: 'platform.example.com/v1', kind: 'Cache', metadata: { name: 'c' } },
            'platform.example.com/v1beta1',
          ),
        ).message,
      ).to.contain('no converter is registered for kind Cache in group platform.example.com');
      expect(failure(convert(databaseV1('db'), 'platform.example.com/v9')).message).to.contain(
        'version v9 is not declared for Database (declared: v1alpha1, v1beta1, v1)',
      );
      expect(failure(convert(databaseV1('db'), 'other.example.com/v1')).reason).to.equal('GroupMismatch');
      expect(failure(convert('nope', 'platform.example.com/v1')).reason).to.equal('NotAnObject');
      expect(failure(convert({ ...databaseV1('db'), metadata: 'x' }, 'platform.example.com/v1beta1')).reason).to.equal(
        'BadMetadata',
      );
    });

    it('returns an object already in the desired version untouched', () => {
      const o = databaseV1('db');
      expect(ok(convert(o, 'platform.example.com/v1'))).to.equal(o);
    });

    it('ignores a malformed stash, reporting it, and never crashes', () => {
      const o = backendV1('web', 'h:1');
      (o.metadata as Record<string, unknown>).annotations = {
        [STASH_ANNOTATION]: '{"v":1,"origin":"v2","entries":[{"p":',
      };
      const r = convert(o, 'stable.example.com/v2');
      expect(r.ok && r.stashProblem).to.match(/not JSON/);
      expect(ok(r)).to.deep.include({ host: 'h', port: '1' });
    });

    it('does not let a tampered stash inject values of the wrong type', () => {
      const { port: _none, ...hostOnly } = backendV2('web', 'a:b', '');
      const v1 = wire(ok(convert(hostOnly, 'stable.example.com/v1')));
      const doc = JSON.parse(v1.metadata.annotations[STASH_ANNOTATION]);
      doc.entries = doc.entries.map((e: Record<string, unknown>) => ({ ...e, v: 42 }));
      v1.metadata.annotations[STASH_ANNOTATION] = JSON.stringify(doc);
      const r = convert(v1, 'stable.example.com/v2');
      expect(ok(r)).to.deep.include({ host: 'a', port: 'b' });
      expect(r.ok && r.stash).to.equal('rejected');
      expect(r.ok && r.stashProblem).to.match(/\.host: expected string/);
    });
  });

  describe('a converted object is valid in its target version', () => {
    const forge = (o: Obj, origin: string, entries: unknown[]) => ({
      ...o,
      metadata: { ...o.metadata, annotations: { [STASH_ANNOTATION]: JSON.stringify({ v: 1, origin, entries }) } },
    });
    const window = (value: unknown) => ({ p: ['spec', 'maintenanceWindow'], v: value, h: fingerprint(ABSENT) });

    for (const [what, value] of [
      ['startHour 99', { day: 'Monday', startHour: 99 }],
      ['startHour -2147483648', { day: 'Monday', startHour: -2147483648 }],
      ['durationMinutes 0', { day: 'Monday', startHour: 1, durationMinutes: 0 }],
      ['a window without its required fields', { durationMinutes: 5 }],
      ['a window with a field v1 prunes', { day: 'Monday', startHour: 1, extra: true }],
    ] as const) {
      it(`refuses a forged stash entry giving ${what}, reports it, and converts the rest`, () => {
        const r = convert(forge(wire(databaseV1alpha1('db')), 'v1', [window(value)]), 'platform.example.com/v1');
        const v1 = ok(r);
        expect(v1.spec).to.not.have.property('maintenanceWindow');
        expect(v1.spec.engine).to.equal('registry:5000/postgres');
        expect(r.ok && r.stash).to.equal('rejected');
        expect(r.ok && r.stashProblem).to.match(/stash entries refused: .*maintenanceWindow/);
        expect(v1.metadata.annotations ?? {}).to.not.have.property(STASH_ANNOTATION);
      });
    }

    it('restores a valid entry of a stash while refusing an invalid one beside it', () => {
      const entries = [
        window({ day: 'Monday', startHour: 2 }),
        { p: ['spec', 'replicas'], v: 1000, h: fingerprint(5) },
      ];
      const r = convert(forge(wire(databaseV1alpha1('db', { replicas: 5 })), 'v1', entries), 'platform.example.com/v1');
      expect(ok(r).spec.maintenanceWindow).to.deep.equal({ day: 'Monday', startHour: 2 });
      expect(ok(r).spec.replicas).to.equal(5);
      expect(r.ok && r.stash).to.equal('rejected');
    });

    it('refuses a forged stash taking spec.engine away, or giving a CronJob an empty schedule', () => {
      const noEngine = forge(wire(databaseV1alpha1('db', { image: 'pg' })), 'v1', [
        { p: ['spec', 'engine'], h: fingerprint('pg') },
      ]);
      expect(ok(convert(noEngine, 'platform.example.com/v1')).spec.engine).to.equal('pg');
      const v2 = wire({ ...cronJobV1('c', ''), apiVersion: 'batch.tutorial.kubebuilder.io/v2' });
      v2.spec.schedule = {};
      const r = convert(
        forge(v2, 'v1', [{ p: ['spec', 'schedule'], v: '', h: fingerprint('* * * * *') }]),
        'batch.tutorial.kubebuilder.io/v1',
      );
      expect(ok(r).spec.schedule).to.equal('* * * * *');
      expect(r.ok && r.stash).to.equal('rejected');
    });

    it('converts valid objects to valid ones: an image ":16", a hostPort "db", a schedule "@every 5m"', () => {
      expect(ok(convert(databaseV1alpha1('db', { image: ':16' }), 'platform.example.com/v1')).spec).to.include({
        engine: ':16',
      });
      const v2 = ok(convert(backendV1('web', 'db'), 'stable.example.com/v2'));
      expect(v2).to.include({ host: 'db' }).and.not.have.property('port');
      expect(ok(convert(cronJobV1('c', '@every 5m'), 'batch.tutorial.kubebuilder.io/v2')).spec.schedule).to.deep.equal({
        every: '5m',
      });
    });

    it('fails a converter that leaves an old field name behind (the apiserver would prune it)', () => {
      const { registry: broken } = brokenRegistry();
      const r = convertObject(broken, wire(databaseV1('db')), 'platform.example.com/v1beta1');
      expect(r.ok).to.equal(false);
      expect(!r.ok && r.failure.message).to.match(/\.spec\.capacityBytes: not in the schema/);
    });

    it('restores untouched v1-only data when v1alpha1 edited the image (the fingerprint decides, per entry)', () => {
      const old = wire(ok(convert(databaseV1('db', { engine: 'pg', version: '1' }), 'platform.example.com/v1alpha1')));
      old.spec.image = 'mysql:8';
      const back = ok(convert(old, 'platform.example.com/v1'));
      expect(back.spec).to.include({ engine: 'mysql', version: '8' });
      expect(back.spec.maintenanceWindow).to.deep.equal({ day: 'Sunday', startHour: 3, durationMinutes: 90 });
    });

    it('names the last converter when its output does not decode, whether the input was whole, partial, stale or carried unknown fields', () => {
      const database = kinds.find((k) => k.kind === 'Database')!;
      const converters = database.converters.map((c) =>
        c.from === 'v1beta1' && c.to === 'v1alpha1'
          ? { ...c, convert: (b: never) => ({ ...(c.convert(b) as Obj), spec: { image: 42 } }) }
          : c,
      );
      const broken = createRegistry([{ ...database, converters }]);
      const whole = wire(databaseV1('db'));
      const partial = { ...whole, spec: { engine: 'pg' } };
      const stale = { ...whole, spec: { ...whole.spec, maintenanceWindow: { day: 'Sunday', startHour: 99 } } };
      const pruned = { ...whole, spec: { ...whole.spec, notInTheSchema: 1 } }; // neither level: every hop decoded
      for (const input of [whole, partial, stale, pruned]) {
        const r = convertObject(broken, input, 'platform.example.com/v1alpha1');
        expect(r.ok).to.equal(false);
        expect(!r.ok && r.failure.message).to.match(
          /converter v1beta1 -> v1alpha1 produced an invalid v1alpha1 object: \.spec\.image: expected string/,
        );
      }
    });

    it('calls each converter once per hop there and once per hop back when a stash is written (4 calls for v1 -> v1alpha1)', () => {
      const database = kinds.find((k) => k.kind === 'Database')!;
      const calls: string[] = [];
      const converters = database.converters.map((c) => ({
        ...c,
        convert: (b: never) => (calls.push(`${c.from}->${c.to}`), c.convert(b)),
      }));
      const counting = createRegistry([{ ...database, converters }]);
      const r = convertObject(counting, wire(databaseV1('db')), 'platform.example.com/v1alpha1');
      expect(r.ok && r.stash).to.equal('written');
      expect(JSON.parse(ok(r).metadata.annotations[STASH_ANNOTATION]).origin).to.equal('v1');
      expect(calls).to.deep.equal(['v1->v1beta1', 'v1beta1->v1alpha1', 'v1alpha1->v1beta1', 'v1beta1->v1']);
    });

    it('leaves a malformed stash, or one naming an unknown version or the own one, in place', () => {
      for (const value of ['{', '{"v":1,"origin":"v9","entries":[]}', '{"v":1,"origin":"v1","entries":[]}']) {
        const o = backendV1('web', 'h:1');
        (o.metadata as Record<string, unknown>).annotations = { [STASH_ANNOTATION]: value };
        const r = convert(o, 'stable.example.com/v2');
        expect(r.ok && r.stash, value).to.equal('rejected');
        expect(ok(r).metadata.annotations[STASH_ANNOTATION], value).to.equal(value);
      }
    });
  });
});

/** The shipped Database with a v1 -> v1beta1 converter that forgets to rename capacityBytes. */
function brokenRegistry() {
  const database = kinds.find((k) => k.kind === 'Database')!;
  const converters = database.converters.map((c) =>
    c.from === 'v1' && c.to === 'v1beta1'
      ? { ...c, convert: (b: never) => ({ ...(c.convert(b) as Obj), spec: { ...(b as Obj).spec } }) }
      : c,
  );
  return { registry: createRegistry([{ ...database, converters }]) };
}
