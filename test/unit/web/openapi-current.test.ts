import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { OPENAPI_JSON, OPENAPI_TYPES, currentOpenApi, typesOf } from '../../../web/scripts/openapi-export.ts';

/** The console's API types are generated, committed, and must match the manager's routes. */
describe('the console API types', () => {
  it('web/src/api/openapi.json is the document the manager serves now (npm run web:api-types)', async () => {
    expect(readFileSync(OPENAPI_JSON, 'utf8')).toBe(await currentOpenApi());
  });

  it('web/src/api/openapi.d.ts is what openapi-typescript makes of it (npm run web:api-types)', async () => {
    const committed = readFileSync(OPENAPI_JSON, 'utf8');
    expect(readFileSync(OPENAPI_TYPES, 'utf8')).toBe(await typesOf(committed));
  });
});
