import { ApiError } from '../../api/client.ts';

/**
 * A refused save split for the form: the problems of the fields it shows (by JSON pointer) go
 * next to them; what belongs to no shown field (or is no 400 at all) stays with the form.
 */
export interface SaveOutcome {
  byPath: Map<string, string>;
  /** Problems of fields the form does not show, as "path: message". */
  rest: string[];
  error: unknown;
}

export function saveOutcome(error: unknown, shown: readonly string[]): SaveOutcome {
  const byPath = new Map<string, string>();
  const rest: string[] = [];
  if (error instanceof ApiError) {
    for (const problem of error.problems) {
      // A problem inside a field's value ('/pipelines/0/tables/2') belongs to that field.
      const field = shown.find((path) => problem.path === path || problem.path.startsWith(`${path}/`));
      if (field !== undefined) byPath.set(field, byPath.has(field) ? `${byPath.get(field)!}; ${problem.message}` : problem.message);
      else rest.push(`${problem.path === '' ? '(the form)' : problem.path}: ${problem.message}`);
    }
  }
  return { byPath, rest, error };
}
