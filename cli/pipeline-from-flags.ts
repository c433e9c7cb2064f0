import { loadPipelineFile, pipelineFromQuickForm, type RuntimePipeline } from '../shared/config/load-pipeline-config.ts';
import type { PipelineSpecInput } from '../shared/config/pipeline-spec.ts';

/** The flags that name a pipeline: a file, or the quick form's three (which also override the file's). */
export interface PipelineFlags {
  config?: string | undefined;
  source?: string | undefined;
  target?: string | undefined;
  tables?: string | undefined;
}

/**
 * The pipeline of `bin/ferry run` and `bin/ferry verify`: from --config with --source,
 * --target and --tables overriding its fields, or from those three alone. `overrides` are
 * further fields (--name, --parallel, ...). The caller checked that one of the two forms is given.
 */
export function pipelineFromFlags(values: PipelineFlags, overrides: Record<string, unknown> = {}): Promise<RuntimePipeline> | RuntimePipeline {
  if (values.config !== undefined) {
    const fields = { ...overrides };
    if (values.source !== undefined) fields.source = values.source;
    if (values.target !== undefined) fields.target = values.target;
    if (values.tables !== undefined) fields.tables = values.tables.split(',').map((t) => t.trim()).filter(Boolean);
    return loadPipelineFile(values.config, { overrides: fields });
  }
  return pipelineFromQuickForm({ ...(overrides as Partial<PipelineSpecInput>), source: values.source!, target: values.target!, tables: values.tables! });
}
