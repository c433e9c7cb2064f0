/**
 * A channel view's pipeline is its spec plus what runs (manager/api/views.ts): what a
 * replacement must send back is the spec alone, so the runtime fields are left out, and of
 * `pipe` only its settings (the view adds the pipe's measured figures to it).
 */
const RUNTIME_FIELDS = new Set(['position', 'lagMs', 'rowsPerSecond', 'state', 'error', 'statsAt', 'reportedBy', 'node', 'epoch', 'assignment', 'stages']);
const PIPE_FIGURES = new Set(['bytesPerSecond', 'wireBytesPerRow', 'compressionRatio', 'rttMs', 'inFlightBatches']);

export function pipelineSpecOf(view: Record<string, unknown>): Record<string, unknown> {
  const spec: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(view)) if (!RUNTIME_FIELDS.has(key)) spec[key] = value;
  const pipe = Object.fromEntries(Object.entries((view.pipe ?? {}) as Record<string, unknown>).filter(([key]) => !PIPE_FIGURES.has(key)));
  if (Object.keys(pipe).length > 0) spec.pipe = pipe;
  else delete spec.pipe;
  return spec;
}
