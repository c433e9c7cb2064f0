import type { ConfigProblem } from '../../shared/config/pipeline-spec.ts';
import { FerryError } from '../../shared/errors/index.ts';

/** FERRY_ERR_API_BAD_REQUEST with every problem, in the format of FERRY_ERR_CONFIG_INVALID. */
export function badRequest(unordered: readonly ConfigProblem[]): FerryError {
  // In document order ('/pipelines/2' before '/pipelines/10'), however they were found.
  const problems = [...unordered].sort((a, b) => a.path.localeCompare(b.path, 'en', { numeric: true }));
  const list = problems.map((p) => `${p.path === '' ? '(body)' : p.path}: ${p.message}`).join('; ');
  const head = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
  return new FerryError('FERRY_ERR_API_BAD_REQUEST', { detail: `${head}: ${list}`, errors: problems.map((p) => ({ ...p })) });
}
