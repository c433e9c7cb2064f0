import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import openapiTS, { astToString } from 'openapi-typescript';
import type { ApiContext } from '../../manager/api/context.ts';
import { buildApi } from '../../manager/api/server.ts';
import { FerryError } from '../../shared/errors/index.ts';
import { silentLogger } from '../../shared/logging.ts';

/**
 * The console's API types come from the manager's own OpenAPI document, which @fastify/swagger
 * builds from the route schemas. This writes the document and the TypeScript made from it
 * (openapi-typescript) into web/src/api; both are committed, and a unit test
 * (test/unit/web/openapi-current.test.ts) fails when they no longer match the routes.
 * Run after changing a route: `npm run web:api-types`.
 */

const API_DIR = resolve(import.meta.dirname, '..', 'src', 'api');
export const OPENAPI_JSON = resolve(API_DIR, 'openapi.json');
export const OPENAPI_TYPES = resolve(API_DIR, 'openapi.d.ts');

/** The document every manager serves at /api/v1/openapi.json, from an API built without ZooKeeper. */
export async function currentOpenApi(): Promise<string> {
  const unused = (): never => {
    throw new FerryError('FERRY_ERR_INTERNAL', { detail: 'the OpenAPI export reads no state', reference: 'openapi-export' });
  };
  const ctx: ApiContext = { managerId: () => 'export', adminToken: 'unused', log: silentLogger(), zk: unused, store: unused, isLeader: () => false };
  const app = await buildApi(ctx, { consoleDir: API_DIR });
  try {
    return `${JSON.stringify(app.swagger(), null, 2)}\n`;
  } finally {
    await app.close();
  }
}

export async function typesOf(document: string): Promise<string> {
  const header = '// Generated from openapi.json by web/scripts/openapi-export.ts (npm run web:api-types). Do not edit.\n\n';
  // @fastify/swagger writes a null member of a union of more than two as {nullable: true} alone,
  // which openapi-typescript renders as (never | null): the same type, said plainly.
  return header + astToString(await openapiTS(document, { alphabetize: true })).replaceAll('(never | null)', 'null');
}

async function main(): Promise<void> {
  const document = await currentOpenApi();
  writeFileSync(OPENAPI_JSON, document);
  writeFileSync(OPENAPI_TYPES, await typesOf(readFileSync(OPENAPI_JSON, 'utf8')));
  process.stdout.write(`wrote ${OPENAPI_JSON} and ${OPENAPI_TYPES}\n`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
