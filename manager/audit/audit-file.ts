import { closeSync, fstatSync, openSync, write } from 'node:fs';
import { FerryError, describeError } from '../../shared/errors/index.ts';
import type { Logger } from '../../shared/logging.ts';
import type { AuditDraft, AuditEntry } from './audit-entry.ts';

/**
 * `--audit-file F`: every audit entry also appended to F as one JSON line. Opened once at
 * start for append (created mode 0600: entries name tokens and addresses), so a path the
 * manager cannot write stops it before it serves, not at the first write.
 */
export class AuditFile {
  private queue: Promise<void> = Promise.resolve();

  private constructor(readonly path: string, private readonly fd: number, private readonly log: Logger) {}

  /** FERRY_ERR_AUDIT_FILE when the file cannot be opened for append or is not a regular file. */
  static open(path: string, log: Logger): AuditFile {
    let fd: number;
    try {
      fd = openSync(path, 'a', 0o600);
    } catch (error) {
      throw new FerryError('FERRY_ERR_AUDIT_FILE', { path, detail: describeError(error) }, { cause: error });
    }
    if (!fstatSync(fd).isFile()) {
      closeSync(fd);
      throw new FerryError('FERRY_ERR_AUDIT_FILE', { path, detail: 'it is not a regular file' });
    }
    return new AuditFile(path, fd, log);
  }

  /** Appends one line; lines are written one after another, never interleaved. Failures are logged. */
  append(entry: AuditEntry | AuditDraft): Promise<void> {
    const line = Buffer.from(`${JSON.stringify(entry)}\n`);
    this.queue = this.queue.then(() => this.writeAll(line)).catch((error: unknown) => {
      this.log.error({ path: this.path, detail: describeError(error), entry }, 'audit file write failed');
    });
    return this.queue;
  }

  private async writeAll(buffer: Buffer): Promise<void> {
    for (let offset = 0; offset < buffer.length;) {
      offset += await new Promise<number>((resolve, reject) => {
        write(this.fd, buffer, offset, buffer.length - offset, null, (error, written) => (error ? reject(error) : resolve(written)));
      });
    }
  }

  async close(): Promise<void> {
    await this.queue;
    closeSync(this.fd);
  }
}
