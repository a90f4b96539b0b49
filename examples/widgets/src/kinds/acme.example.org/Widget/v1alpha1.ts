import { Int32, constrained, t, version } from 'crdconv';
import { Color } from './common.js';

/** v1alpha1: the colour is spelled `colour`. */
export const v1alpha1 = version(
  'v1alpha1',
  t.partial({
    spec: t.intersection([
      t.type({ replicas: constrained(Int32, { minimum: 0, description: 'how many widgets' }) }),
      t.partial({ colour: Color, labels: t.record(t.string, t.string) }),
    ]),
    status: t.partial({ ready: t.boolean }),
  }),
);
