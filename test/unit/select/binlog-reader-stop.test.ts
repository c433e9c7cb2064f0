import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { BinlogReader } from '../../../node/select/binlog-reader.ts';
import { isFerryError } from '../../../shared/errors/index.ts';
import { silentLogger } from '../../../shared/logging.ts';

/**
 * zongji as it behaves when stop() lands while start() is still initialising (its set-up
 * queries answered, the continuation not yet run): it emits 'stopped' and then neither
 * 'ready' nor 'error' (`if (this.stopped) return;` in its start chain). A runner aborted by a
 * ROLLBACK in that moment waited for start() forever: its pipeline kept its slot in the node's
 * runner set, so the epoch the following RESTART placed never started (state assigned,
 * assignment pending, on the same node).
 */
class ZongJiStoppedWhileStarting extends EventEmitter {
  started = false;
  start(): void {
    this.started = true;
  }
  stop(): void {
    queueMicrotask(() => this.emit('stopped'));
  }
}

function reader(): { reader: BinlogReader; zongji: ZongJiStoppedWhileStarting } {
  const subject = new BinlogReader({
    endpoint: { host: '127.0.0.1', port: 1, user: 'u', password: 'p' },
    serverId: 9,
    heartbeatMs: 1_000,
    silenceMs: 5_000,
    start: { file: '', pos: 4, gtidSet: '' },
    log: silentLogger(),
    onTransaction: () => undefined,
    onError: () => undefined,
  });
  const zongji = new ZongJiStoppedWhileStarting();
  (subject as unknown as { zongji: unknown }).zongji = zongji;
  return { reader: subject, zongji };
}

describe('BinlogReader stopped while its stream opens', () => {
  it('settles start() with a coded error', async () => {
    const { reader: subject, zongji } = reader();
    const started = subject.start();
    expect(zongji.started).toBe(true);
    await subject.stop();
    const error = await started.then(() => undefined, (e: unknown) => e);
    expect(isFerryError(error, 'FERRY_ERR_BINLOG_STOPPED')).toBe(true);
  });

  it('settles a start() that begins after stop()', async () => {
    const { reader: subject } = reader();
    await subject.stop();
    const error = await subject.start().then(() => undefined, (e: unknown) => e);
    expect(isFerryError(error, 'FERRY_ERR_BINLOG_STOPPED')).toBe(true);
  });
});
