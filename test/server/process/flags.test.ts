import { expect } from 'chai';
import { formatAddress, parseBindAddress } from '../../../src/server/http/bindAddress.js';
import { formatDuration, parseDuration } from '../../../src/cli/duration.js';

describe('serve flag values', () => {
  describe('durations', () => {
    const good: [string, number][] = [
      ['30s', 30_000],
      ['500ms', 500],
      ['2m', 120_000],
      ['1m30s', 90_000],
      ['1h', 3_600_000],
      ['1.5s', 1_500],
      ['30', 30_000],
      ['0.25', 250],
      ['0', 0],
      [' 10s ', 10_000],
    ];
    for (const [text, ms] of good)
      it(`reads ${JSON.stringify(text)} as ${ms} ms`, () => expect(parseDuration(text)).to.equal(ms));
    for (const text of ['', 's', '10x', '-5s', '1m 30s', '5 s', 'ten', '1e3']) {
      it(`refuses ${JSON.stringify(text)}`, () => expect(() => parseDuration(text)).to.throw(/not a duration/));
    }
    it('formats what it reads', () => {
      expect(formatDuration(30_000)).to.equal('30s');
      expect(formatDuration(500)).to.equal('500ms');
      expect(parseDuration(formatDuration(1_500))).to.equal(1_500);
    });
  });

  describe('bind addresses', () => {
    it('reads :PORT as every interface', () => expect(parseBindAddress(':8081')).to.deep.equal({ port: 8081 }));
    it('reads HOST:PORT', () => expect(parseBindAddress('127.0.0.1:0')).to.deep.equal({ host: '127.0.0.1', port: 0 }));
    it('reads [IPv6]:PORT', () => expect(parseBindAddress('[::1]:8080')).to.deep.equal({ host: '::1', port: 8080 }));
    it('reads a host name', () =>
      expect(parseBindAddress('localhost:9000')).to.deep.equal({ host: 'localhost', port: 9000 }));
    it('turns the server off for 0 and for empty', () => {
      expect(parseBindAddress('0')).to.equal(undefined);
      expect(parseBindAddress('')).to.equal(undefined);
    });
    for (const text of ['8080', 'host', ':99999', '::1:8080', '127.0.0.1:', ':-1']) {
      it(`refuses ${JSON.stringify(text)}`, () => expect(() => parseBindAddress(text)).to.throw(/not a bind address/));
    }
    it('formats addresses for logs', () => {
      expect(formatAddress(undefined, 8080)).to.equal(':8080');
      expect(formatAddress('::1', 8080)).to.equal('[::1]:8080');
      expect(formatAddress('127.0.0.1', 1)).to.equal('127.0.0.1:1');
    });
  });
});
