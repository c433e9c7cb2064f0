import { ERROR_CODES, type ErrorCode, type ErrorScope } from './codes.ts';

export type ErrorDetails = Record<string, unknown>;

/**
 * Thrown for every condition Ferry knows about. Carries a registry code, the fields that
 * filled the message, and the cause it wraps (never dropped).
 */
export class FerryError extends Error {
  readonly code: ErrorCode;
  readonly details: ErrorDetails;
  readonly scope: ErrorScope;
  readonly retryable: boolean;
  readonly http: number;
  readonly workaround: string;

  constructor(code: ErrorCode, details: ErrorDetails = {}, options: { cause?: unknown } = {}) {
    const entry = ERROR_CODES[code];
    super(renderMessage(entry.message, details), options.cause === undefined ? {} : { cause: options.cause });
    this.name = 'FerryError';
    this.code = code;
    this.details = details;
    this.scope = entry.scope;
    this.retryable = entry.retryable;
    this.http = entry.http;
    this.workaround = entry.workaround;
  }

  /** One line for a terminal: code, message and what to do. */
  toLine(): string {
    return `${this.code}: ${this.message}. What to do: ${this.workaround}`;
  }

  toJSON(): Record<string, unknown> {
    return { code: this.code, message: this.message, scope: this.scope, retryable: this.retryable, workaround: this.workaround, details: this.details };
  }
}

function renderMessage(template: string, details: ErrorDetails): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => {
    const value = details[key];
    if (value === undefined) return whole;
    return typeof value === 'string' ? value : JSON.stringify(value);
  });
}

export function isFerryError(error: unknown, code?: ErrorCode): error is FerryError {
  return error instanceof FerryError && (code === undefined || error.code === code);
}

/** Text of any thrown value, for wrapping foreign errors into a detail field. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
