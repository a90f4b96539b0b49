import { Int32, constrained, t, version } from 'crdconv';
import { Color } from './common.js';

/**
 * v1 (storage): `colour` renamed `color`; `finish` and `paused` are new, and v1alpha1 has no
 * place for them.
 */
export const v1 = version(
  'v1',
  t.partial({
    spec: t.intersection([
      t.type({ replicas: constrained(Int32, { minimum: 0, description: 'how many widgets' }) }),
      t.partial({
        color: Color,
        finish: t.keyof({ Matte: null, Glossy: null }),
        labels: t.record(t.string, t.string),
        paused: t.boolean,
      }),
    ]),
    status: t.partial({ ready: t.boolean }),
  }),
  { storage: true },
);
