import { between } from '../../../src/index.js';
import { v1alpha1 } from './v1alpha1.js';
import { v1beta1 } from './v1beta1.js';

/**
 * `image` <-> `engine` + `version`: split at the last colon after the last slash, so a registry
 * port (`registry:5000/postgres`) stays in the engine, and an image without a tag has no version.
 * Joining is the exact inverse, so every image string survives v1alpha1 -> v1beta1 -> v1alpha1.
 */
export const splitImage = (image: string): { engine: string; version?: string } => {
  const colon = image.lastIndexOf(':');
  return colon > image.lastIndexOf('/')
    ? { engine: image.slice(0, colon), version: image.slice(colon + 1) }
    : { engine: image };
};

export const joinImage = (engine: string | undefined, version: string | undefined): string | undefined =>
  version === undefined ? engine : `${engine ?? ''}:${version}`;

/**
 * The rest objects (`rest`, `specRest`) are fresh copies, so fields are added to them with
 * Object.assign: on Node 20, a literal that spreads an object and then adds fields
 * (`{ ...rest, spec }`) takes a slow path in V8, about a microsecond per added field.
 */
export const v1alpha1v1beta1 = between(v1alpha1, v1beta1, {
  up: ({ spec, ...rest }) => {
    if (spec === undefined) return rest;
    const { image, ...specRest } = spec;
    return Object.assign(rest, { spec: image === undefined ? specRest : Object.assign(specRest, splitImage(image)) });
  },
  down: ({ spec, ...rest }) => {
    if (spec === undefined) return rest;
    const { engine, version, ...specRest } = spec;
    const image = joinImage(engine, version);
    return Object.assign(rest, { spec: image === undefined ? specRest : Object.assign(specRest, { image }) });
  },
});
