import { Int64, constrained, t, version } from '../../../src/index.js';
import { sharedSpec, status } from './common.js';

/** A container image reference: the engine and, after the last colon, its version. */
export const image = constrained(t.string, { minLength: 1, description: 'Container image, e.g. postgres:16.2' });

/** v1alpha1: the engine and its version as one container image reference. */
export const v1alpha1 = version(
  'v1alpha1',
  t.partial({
    spec: t.intersection([
      t.type({
        image,
        storageBytes: constrained(Int64, { minimum: 0 }),
      }),
      t.partial(sharedSpec),
    ]),
    status,
  }),
  { deprecated: true, deprecationWarning: 'platform.example.com/v1alpha1 Database is deprecated; use v1' },
);
