import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TSchema } from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import { PipelineSpec } from '../../../shared/config/pipeline-spec.ts';

interface Field { path: string; schema: TSchema; required: boolean }

const objects = new Set<TSchema>();

/** Every object property in the spec schema, through unions and arrays; objects go to `objects`. */
function fields(schema: TSchema, path: string, out: Field[] = []): Field[] {
  const node = schema as TSchema & { properties?: Record<string, TSchema>; required?: string[]; anyOf?: TSchema[]; items?: TSchema };
  if (node.properties !== undefined) objects.add(node);
  for (const [key, inner] of Object.entries(node.properties ?? {})) {
    out.push({ path: `${path}.${key}`, schema: inner, required: (node.required ?? []).includes(key) });
    fields(inner, `${path}.${key}`, out);
  }
  for (const inner of node.anyOf ?? []) fields(inner, path, out);
  if (node.items !== undefined) fields(node.items, `${path}[]`, out);
  return out;
}

const all = fields(PipelineSpec, 'spec');

describe('pipeline spec documentation', () => {
  it('walks the whole schema', () => {
    expect(all.map((f) => f.path)).toEqual(expect.arrayContaining(['spec.batch.maxRows', 'spec.tables[].columns.rename', 'spec.target.passwordEnv', 'spec.retry.maxDelayMs']));
  });

  it('describes every field and documents the default of every field that has one', () => {
    for (const field of all) {
      const description = field.schema.description;
      expect(description, field.path).toBeTypeOf('string');
      // An object's own fields carry its defaults.
      const withDefault = (!field.required || 'default' in field.schema) && field.schema.type !== 'object';
      if (withDefault) expect(description, field.path).toMatch(/Default/);
      if ('default' in field.schema && typeof field.schema.default !== 'object') {
        expect(description, field.path).toContain(String(field.schema.default));
      }
    }
  });

  it('refuses unknown keys on every object', () => {
    // The spec, bidirectional, batch, queue, retry, liveness, validation, pipe, the endpoint object, the table rule object and its columns.
    expect(objects.size).toBe(11);
    for (const schema of objects) expect(schema.additionalProperties, JSON.stringify(Object.keys(schema.properties as object))).toBe(false);
  });

  it('shows every field in docs/examples/pipeline.yaml', () => {
    const example = readFileSync(join(import.meta.dirname, '..', '..', '..', 'docs', 'examples', 'pipeline.yaml'), 'utf8');
    for (const field of all) {
      const key = field.path.split('.').at(-1)!.replace('[]', '');
      expect(example, field.path).toMatch(new RegExp(`\\b${key}\\b`));
    }
  });
});
