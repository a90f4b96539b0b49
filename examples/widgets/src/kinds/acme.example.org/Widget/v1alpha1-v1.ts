import { between } from 'crdconv';
import { v1alpha1 } from './v1alpha1.js';
import { v1 } from './v1.js';

/**
 * v1alpha1 `spec.colour` <-> v1 `spec.color`. Every field may be missing (the apiserver sends
 * partial objects): missing stays missing. What v1alpha1 has no place for (`finish`, `paused`)
 * is dropped on the way down: crdconv's stash keeps it and brings it back when the object
 * returns to v1.
 */
export const v1alpha1v1 = between(v1alpha1, v1, {
  up: ({ spec, ...rest }) => {
    if (spec === undefined) return rest;
    const { colour, ...specRest } = spec;
    return Object.assign(rest, { spec: colour === undefined ? specRest : Object.assign(specRest, { color: colour }) });
  },
  down: ({ spec, ...rest }) => {
    if (spec === undefined) return rest;
    const { color, finish: _finish, paused: _paused, ...specRest } = spec;
    return Object.assign(rest, { spec: color === undefined ? specRest : Object.assign(specRest, { colour: color }) });
  },
});
