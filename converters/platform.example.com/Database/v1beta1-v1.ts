import { between } from '../../../src/index.js';
import { v1beta1 } from './v1beta1.js';
import { v1 } from './v1.js';

/**
 * `storageBytes` is renamed `capacityBytes`. `maintenanceWindow` has no place in v1beta1: the
 * converter simply drops it, and the framework's stash keeps it for the way back. Fields are added
 * to the fresh rest objects with Object.assign, not spread into literals: see v1alpha1-v1beta1.ts.
 */
export const v1beta1v1 = between(v1beta1, v1, {
  up: ({ spec, ...rest }) => {
    if (spec === undefined) return rest;
    const { storageBytes, ...specRest } = spec;
    return Object.assign(rest, {
      spec: storageBytes === undefined ? specRest : Object.assign(specRest, { capacityBytes: storageBytes }),
    });
  },
  down: ({ spec, ...rest }) => {
    if (spec === undefined) return rest;
    const { capacityBytes, maintenanceWindow: _dropped, ...specRest } = spec;
    return Object.assign(rest, {
      spec: capacityBytes === undefined ? specRest : Object.assign(specRest, { storageBytes: capacityBytes }),
    });
  },
});
