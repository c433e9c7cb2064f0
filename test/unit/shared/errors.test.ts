import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, FerryError, errorsMarkdown, isFerryError } from '../../../shared/errors/index.ts';

describe('error registry', () => {
  it('is documented: docs/errors.md matches the registry', () => {
    const documented = readFileSync(join(import.meta.dirname, '..', '..', '..', 'docs', 'errors.md'), 'utf8');
    expect(documented).toBe(errorsMarkdown());
  });

  it('gives every code a workaround, a scope and an HTTP status', () => {
    for (const [code, spec] of Object.entries(ERROR_CODES)) {
      expect(code, code).toMatch(/^FERRY_ERR_[A-Z]+(_[A-Z0-9]+)*$/);
      expect(spec.workaround.length, code).toBeGreaterThan(10);
      expect(spec.http, code).toBeGreaterThanOrEqual(400);
    }
  });

  it('fills the message from details and keeps the cause', () => {
    const cause = new Error('ECONNREFUSED');
    const error = new FerryError('FERRY_ERR_SERVICES_PORT_IN_USE', { port: 3306, what: 'MariaDB db1' }, { cause });
    expect(error.message).toBe('port 3306 on 127.0.0.1 is already in use (wanted for MariaDB db1)');
    expect(error.cause).toBe(cause);
    expect(error.toLine()).toMatch(/^FERRY_ERR_SERVICES_PORT_IN_USE: port 3306 .* What to do: Stop whatever/);
    expect(isFerryError(error, 'FERRY_ERR_SERVICES_PORT_IN_USE')).toBe(true);
    expect(isFerryError(error, 'FERRY_ERR_INTERNAL')).toBe(false);
  });
});
