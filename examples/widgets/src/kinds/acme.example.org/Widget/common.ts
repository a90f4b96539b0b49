import { LeafType, registerLeafSchema } from 'crdconv';

/**
 * A colour as `#rrggbb`: a leaf codec of this project's own. The CRD schema of a leaf is
 * registered here, next to it, so that `crdconv crds` knows it; its property-test generator is
 * registered in the tests (test/widget.test.ts), where fast-check is.
 */
export const Color = new LeafType<string>(
  'Color',
  (u): u is string => typeof u === 'string' && /^#[0-9a-f]{6}$/.test(u),
);
registerLeafSchema('Color', { type: 'string', pattern: '^#[0-9a-f]{6}$' });
