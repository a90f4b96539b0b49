import { between } from '../../../src/index.js';
import { v1alpha1 } from './v1alpha1.js';
import { v1beta1 } from './v1beta1.js';

/**
 * `image` <-> `engine` + `version`: split at the last colon after the last slash, so a registry
 * port (`registry:5000/postgres`) stays in the engine, and an image without a tag has no version.
 * A colon with nothing before it (`:16`) is no tag: the engine would be empty, which v1beta1
 * refuses, so such an image stays whole in the engine. Joining is the exact inverse, so every
 * image string survives v1alpha1 -> v1beta1 -> v1alpha1.
 */
export const splitImage = (image: string): { engine: string; version?: string } => {
  const colon = image.lastIndexOf(':');
  return colon > 0 && colon > image.lastIndexOf('/')
    ? { engine: image.slice(0, colon), version: image.slice(colon + 1) }
    : { engine: image };
};

/** No engine, no image: a version alone (a partial object) is kept by the stash, never joined to an invented engine. */
export const joinImage = (engine: string | undefined, version: string | undefined): string | undefined =>
  engine === undefined || version === undefined ? engine : `${engine}:${version}`;

/**
 * What v1alpha1 cannot tell apart (an engine holding a colon and no version: `pg:x` reads back as
 * engine `pg`, version `x`) the framework's stash keeps.
 */
export const v1alpha1v1beta1 = between(v1alpha1, v1beta1, {
  up: ({ spec, ...rest }) => {
    if (spec === undefined) return rest;
    const { image, ...specRest } = spec;
    return { ...rest, spec: image === undefined ? specRest : { ...specRest, ...splitImage(image) } };
  },
  down: ({ spec, ...rest }) => {
    if (spec === undefined) return rest;
    const { engine, version, ...specRest } = spec;
    const image = joinImage(engine, version);
    return { ...rest, spec: image === undefined ? specRest : { ...specRest, image } };
  },
});
