import assert from 'node:assert/strict';
import fc from 'fast-check';
import { STASH_ANNOTATION, convertObject, createRegistry } from 'crdconv';
import { roundTripSuite } from 'crdconv/testing';
import { kinds } from '../src/kinds/index.js';
import { Color } from '../src/kinds/acme.example.org/Widget/common.js';

const registry = createRegistry(kinds);

// The lossless guarantee, derived from the codecs: every ordered pair of versions, whole and
// partial objects, edits, and mixed reviews through a real HTTPS webhook. Our own leaf, Color,
// needs a generator: given to this suite, not registered globally.
roundTripSuite(registry, {
  numRuns: 100,
  generators: { leaves: new Map([[Color.name, fc.stringMatching(/^#[0-9a-f]{6}$/)]]) },
});

describe('Widget v1alpha1 <-> v1', () => {
  const v1 = {
    apiVersion: 'acme.example.org/v1',
    kind: 'Widget',
    metadata: { name: 'w', namespace: 'default' },
    spec: { color: '#00ff00', finish: 'Matte', replicas: 3, paused: true },
  };

  it('renames the colour, and keeps what v1alpha1 cannot hold in the stash', () => {
    const down = convertObject(registry, v1, 'acme.example.org/v1alpha1');
    assert.ok(down.ok, down.ok ? '' : down.failure.message);
    const object = down.object as { spec: unknown; metadata: { annotations: Record<string, string> } };
    assert.deepEqual(object.spec, { colour: '#00ff00', replicas: 3 });
    assert.ok(STASH_ANNOTATION in object.metadata.annotations, 'finish and paused are stashed');
    const back = convertObject(registry, down.object, 'acme.example.org/v1');
    assert.ok(back.ok);
    assert.deepEqual(back.object, v1);
  });
});
