import { expect } from 'chai';
import {
  formatSchedule,
  parseSchedule,
  sameSchedule,
  v1v2 as cronJobConverters,
} from '../../converters/batch.tutorial.kubebuilder.io/CronJob/v1-v2.js';
import { joinImage, splitImage } from '../../converters/platform.example.com/Database/v1alpha1-v1beta1.js';
import { v1v2 as backendConverters } from '../../converters/stable.example.com/Backend/v1-v2.js';
import { v1beta1v1 } from '../../converters/platform.example.com/Database/v1beta1-v1.js';
import { converterFn as fn } from '../support/conversion.js';

describe('shipped converters (pure functions)', () => {
  describe('Backend v1 <-> v2', () => {
    const up = fn(backendConverters, 'v1', 'v2');
    const down = fn(backendConverters, 'v2', 'v1');
    it('splits at the last colon, so the port never holds one; no colon leaves the port absent', () => {
      expect(up({ hostPort: 'localhost:8080' })).to.deep.equal({ host: 'localhost', port: '8080' });
      // A mutant splitting at the first colon gives host "a", port "b:c": this kills it.
      expect(up({ hostPort: 'a:b:c' })).to.deep.equal({ host: 'a:b', port: 'c' });
      expect(up({ hostPort: '[::1]:80' })).to.deep.equal({ host: '[::1]', port: '80' });
      expect(up({ hostPort: 'db' })).to.deep.equal({ host: 'db' });
      expect(up({ hostPort: 'db:' })).to.deep.equal({ host: 'db', port: '' });
      expect(up({})).to.deep.equal({});
    });
    it('joins with a colon, and is the exact inverse of the split', () => {
      for (const hostPort of ['localhost:8080', 'a:b:c', 'db', ':', '', ':9', '[::1]:80', 'a::'])
        expect(down(up({ hostPort }))).to.deep.equal({ hostPort });
      // Missing stays missing: no host is invented for a port alone.
      expect(down({ port: '80' })).to.deep.equal({});
      expect(down({})).to.deep.equal({});
    });
  });

  describe('CronJob schedules', () => {
    it('parses five fields, * as absent, spaces and tabs anywhere', () => {
      expect(parseSchedule('*/5 1 * * 1-5')).to.deep.equal({ minute: '*/5', hour: '1', dayOfWeek: '1-5' });
      expect(parseSchedule('  0\t1  * * * ')).to.deep.equal({ minute: '0', hour: '1' });
    });
    it('expands macros to what they mean, whitespace around them included', () => {
      expect(parseSchedule('@daily')).to.deep.equal({ minute: '0', hour: '0' });
      expect(parseSchedule('@weekly')).to.deep.equal({ minute: '0', hour: '0', dayOfWeek: '0' });
      // A mutant looking the macro up before trimming gives {} ("every minute") for these.
      expect(parseSchedule(' @hourly')).to.deep.equal({ minute: '0' });
      expect(parseSchedule('\t@daily  ')).to.deep.equal({ minute: '0', hour: '0' });
    });
    it('keeps @every as every, and gives up (empty) only on what v1 does not admit', () => {
      expect(parseSchedule('@every 5m')).to.deep.equal({ every: '5m' });
      expect(parseSchedule(' @every\t1h30m ')).to.deep.equal({ every: '1h30m' });
      expect(parseSchedule('__proto__')).to.deep.equal({});
      expect(parseSchedule('0 0 1 1 * 2030')).to.deep.equal({});
    });
    it('formats absent fields as *, and every as @every', () => {
      expect(formatSchedule({})).to.equal('* * * * *');
      expect(formatSchedule({ minute: '0', dayOfWeek: '1' })).to.equal('0 * * * 1');
      expect(formatSchedule({ every: '5m' })).to.equal('@every 5m');
    });
    it('calls two schedules the same when their words are, macros expanded', () => {
      expect(sameSchedule(' @hourly', '0 * * * *')).to.equal(true);
      expect(sameSchedule('0  1 * * *', '0 1 * * *')).to.equal(true);
      expect(sameSchedule('@every 5m', '@every  5m')).to.equal(true);
      expect(sameSchedule(' @hourly', '* * * * *')).to.equal(false);
      expect(sameSchedule('@daily', 1)).to.equal(false);
    });
    it('declares the v1 schedule lossy (formatting) and nothing else', () => {
      expect(cronJobConverters.map((c) => [c.from, Object.keys(c.lossy ?? {})])).to.deep.equal([
        ['v1', ['spec.schedule']],
        ['v2', []],
      ]);
    });
  });

  describe('Database', () => {
    it('splits an image at the last colon after the last slash', () => {
      expect(splitImage('postgres:16.2')).to.deep.equal({ engine: 'postgres', version: '16.2' });
      expect(splitImage('registry:5000/postgres')).to.deep.equal({ engine: 'registry:5000/postgres' });
      expect(splitImage('registry:5000/postgres:16')).to.deep.equal({
        engine: 'registry:5000/postgres',
        version: '16',
      });
      // A colon with nothing before it is no tag: v1beta1 refuses an empty engine.
      expect(splitImage(':16')).to.deep.equal({ engine: ':16' });
      expect(splitImage(':')).to.deep.equal({ engine: ':' });
      for (const image of ['postgres:16.2', 'registry:5000/pg', 'pg:', ':16', '', 'a:b:c', '/:1', '::1']) {
        const { engine, version } = splitImage(image);
        expect(joinImage(engine, version)).to.equal(image);
      }
    });
    it('renames storageBytes to capacityBytes and drops maintenanceWindow on the way down', () => {
      const up = fn(v1beta1v1, 'v1beta1', 'v1');
      const down = fn(v1beta1v1, 'v1', 'v1beta1');
      expect(up({ spec: { engine: 'pg', storageBytes: 9223372036854775807n } })).to.deep.equal({
        spec: { engine: 'pg', capacityBytes: 9223372036854775807n },
      });
      expect(
        down({ spec: { engine: 'pg', capacityBytes: 1, maintenanceWindow: { day: 'Monday', startHour: 1 } } }),
      ).to.deep.equal({ spec: { engine: 'pg', storageBytes: 1 } });
      expect(up({ status: { phase: 'Ready' } })).to.deep.equal({ status: { phase: 'Ready' } });
    });
    it('carries the fields every version shares both ways (a mutant dropping spec.users dies here)', () => {
      const up = fn(v1beta1v1, 'v1beta1', 'v1');
      const down = fn(v1beta1v1, 'v1', 'v1beta1');
      const users = [{ name: 'app', roles: ['read'] }, { name: 'audit' }];
      const shared = { replicas: 2, port: 'pg', parameters: { a: 'b' }, users, backupSchedule: null };
      expect(down({ spec: { engine: 'pg', capacityBytes: 1, ...shared } })).to.deep.equal({
        spec: { engine: 'pg', storageBytes: 1, ...shared },
      });
      expect(up({ spec: { engine: 'pg', storageBytes: 1, ...shared } })).to.deep.equal({
        spec: { engine: 'pg', capacityBytes: 1, ...shared },
      });
    });
  });
});
