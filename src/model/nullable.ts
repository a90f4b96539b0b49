import * as t from 'io-ts';

/** `nullable: true` in OpenAPI: the value or JSON null. Absent and null are different values. */
export const nullable = <C extends t.Mixed>(codec: C) => t.union([codec, t.null], `${codec.name} | null`);
