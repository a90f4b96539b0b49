import { between } from '../../../src/index.js';
import { v1beta1 } from './v1beta1.js';
import { v1 } from './v1.js';

/**
 * `storageBytes` is renamed `capacityBytes`. `maintenanceWindow` has no place in v1beta1: the
 * converter simply drops it, and the framework's stash keeps it for the way back.
 */
export const v1beta1v1 = between(v1beta1, v1, {
  up: ({ spec, ...rest }) => {
    if (spec === undefined) return rest;
    const { storageBytes, ...specRest } = spec;
    return { ...rest, spec: storageBytes === undefined ? specRest : { ...specRest, capacityBytes: storageBytes } };
  },
  down: ({ spec, ...rest }) => {
    if (spec === undefined) return rest;
    const { capacityBytes, maintenanceWindow: _dropped, ...specRest } = spec;
    return { ...rest, spec: capacityBytes === undefined ? specRest : { ...specRest, storageBytes: capacityBytes } };
  },
});
