/**
 * A conversion thread: loads the same kinds as the service, then converts ranges of big reviews'
 * objects (parse, convert, serialize: the same ReviewConversion the service runs in process) and
 * answers each range with its part of the answer. Started by conversionPool.ts.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { JsonSyntaxError, parseJson } from '../../json/index.js';
import { loadRegistry } from '../../kinds/load.js';
import type { Registry } from '../../kinds/registry.js';
import { ReviewConversion } from '../../review/handleReview.js';
import type { RangeAnswer, RangeJob, ThreadData, ThreadHello } from './protocol.js';

const port = parentPort!;
const { kinds } = workerData as ThreadData;

function convertRange(registry: Registry, job: RangeJob): RangeAnswer {
  const { id, start, bytes, spans } = job;
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let taken = start;
  const conversion = new ReviewConversion(
    registry,
    // The review's uid and version only go into the answer's envelope, which the service writes.
    { reviewVersion: 'apiextensions.k8s.io/v1', uid: '', desiredAPIVersion: job.desiredAPIVersion, objects: undefined },
    {
      length: job.total,
      take: (i) => {
        taken = i;
        const at = 2 * (i - start);
        return parseJson(text.toString('utf8', spans[at], spans[at + 1]));
      },
    },
    { start, end: job.end },
  );
  try {
    conversion.step(Infinity);
  } catch (e) {
    if (e instanceof JsonSyntaxError)
      return {
        id,
        syntaxError: { index: taken, type: 'json', message: e.message, reason: e.reason, position: e.position },
      };
    if (e instanceof RangeError)
      return { id, syntaxError: { index: taken, type: 'range', message: e.message, reason: '', position: 0 } };
    throw e;
  }
  // Serialized to UTF-8 here, on the thread: the main thread writes the bytes as they are.
  return { id, part: conversion.part() };
}

try {
  const { registry } = await loadRegistry(kinds);
  port.on('message', (job: RangeJob) => {
    let answer: RangeAnswer;
    try {
      answer = convertRange(registry, job);
    } catch (e) {
      answer = { id: job.id, error: (e as Error)?.message ?? String(e) };
    }
    port.postMessage(answer, 'part' in answer ? [answer.part.joined.buffer as ArrayBuffer] : []);
  });
  port.postMessage({ ready: true } satisfies ThreadHello);
} catch (e) {
  port.postMessage({ ready: false, error: (e as Error)?.message ?? String(e) } satisfies ThreadHello);
}
