import { Int64, constrained, t, version } from '../../../src/index.js';
import { sharedSpec, status } from './common.js';

/** v1beta1: the image split into engine and version. */
export const v1beta1 = version(
  'v1beta1',
  t.partial({
    spec: t.intersection([
      t.type({
        engine: constrained(t.string, { minLength: 1 }),
        storageBytes: constrained(Int64, { minimum: 0 }),
      }),
      t.partial({ version: t.string, ...sharedSpec }),
    ]),
    status,
  }),
);
