import { FerryError } from '../../shared/errors/index.ts';
import { silentLogger, type Logger } from '../../shared/logging.ts';
import { WireEncoder } from '../../shared/pipe/index.ts';
import type { BatchSender, ResumePoint, ResumeRequest, SelectedBatch } from '../pipeline/batch-channel.ts';
import { CHANNEL_KINDS, batchEndOf, channelError, encodeJson, readResumePoint, resumeRequestJson, type SourceStatus } from './channel-payloads.ts';
import { PipeClient, type PipeClientOptions } from './pipe-client.ts';

/** A wire body (before compression) may be this many times the transport's payload bound; the receiver reads as much. */
export const BODY_BOUND_FACTOR = 8;

export interface PipeBatchSenderOptions {
  /** Where and as whom to connect; the resume request is the select side's. */
  client: Omit<PipeClientOptions, 'resumeRequest'>;
  /** The pipeline's pipe.compression. */
  compression: string;
  /** Between source status payloads while no batch flows. @default 500 */
  statusMs?: number;
  /** The connection failed on its own (cut, silence, the load side's error): wake the select side. */
  onFailure?: (error: FerryError) => void;
  log?: Logger;
}

/**
 * The select side's end of a batch channel across the node-to-node pipe: one connection, made
 * by resumeAt() (the load side answers from the target's checkpoint), with a new wire encoder,
 * so one sender serves one attempt. Each batch goes as one payload, or, when it would exceed
 * the transport's bound, as pieces of its transactions; then a batch-end payload closes it
 * (channel-payloads.ts). A batch counts as acknowledged once its batch-end is. While the
 * window is empty the source status goes across every statusMs, so the load side's lag
 * knows when the source was last heard from.
 */
export class PipeBatchSender implements BatchSender {
  private client: PipeClient | undefined;
  private encoder: WireEncoder | undefined;
  private closedBy: FerryError | undefined;
  /** Transport sequence numbers of the batch-ends sent and not yet acknowledged, in order. */
  private readonly batchEnds: number[] = [];
  private readonly source: SourceStatus = { heardAt: 0, behind: false };
  private statusSent: SourceStatus | undefined;
  /** The payloads of one batch, a status or the end go out one after another. */
  private sending: Promise<unknown> = Promise.resolve();
  private busy = 0;
  private streamEnded = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly log: Logger;
  /** Channel batches sent, and payloads that were pieces of a large transaction. */
  readonly sent = { batches: 0, pieces: 0 };

  constructor(private readonly options: PipeBatchSenderOptions) {
    this.log = (options.log ?? silentLogger()).child({ component: 'pipe-batch-sender' });
  }

  get failure(): FerryError | undefined {
    return this.closedBy;
  }

  get unacked(): number {
    const acked = this.client?.ackedThrough ?? 0;
    while (this.batchEnds.length > 0 && this.batchEnds[0]! <= acked) this.batchEnds.shift();
    return this.batchEnds.length;
  }

  /** Batches the load side committed and acknowledged on this connection. */
  get acknowledged(): number {
    return this.sent.batches - this.unacked;
  }

  /** The pipe's counters (bytes, rate, window, round trip), once connected. */
  stats(): ReturnType<PipeClient['stats']> | undefined {
    return this.client?.stats();
  }

  /** The source sent something (SelectSideOptions.onHeard). */
  heard(at: number = Date.now()): void {
    // Once per binlog event: a field, not a new object (sends copy it).
    this.source.heardAt = at;
  }

  /** Whether changes wait on the select side (SelectSideOptions.setBehind). */
  setBehind(behind: boolean): void {
    this.source.behind = behind;
  }

  async resumeAt(request: ResumeRequest): Promise<ResumePoint> {
    this.throwIfFailed();
    if (this.client !== undefined) throw new FerryError('FERRY_ERR_INTERNAL', { detail: 'a second resume request on one pipe connection: a restart takes a new sender' });
    let client: PipeClient;
    try {
      client = await PipeClient.open({ ...this.options.client, resumeRequest: resumeRequestJson(request) });
    } catch (error) {
      throw this.failed(channelError(error));
    }
    if (this.closedBy !== undefined) {
      // Failed while connecting: the load side hears it too.
      client.fail(this.closedBy);
      throw this.closedBy;
    }
    this.client = client;
    // A new connection, a new encoder: table ids live as long as the connection.
    this.encoder = new WireEncoder({ compression: this.options.compression });
    void client.ended.then((error) => {
      if (error === undefined || this.closedBy !== undefined) return;
      this.failed(channelError(error));
      this.options.onFailure?.(this.closedBy!);
    });
    this.timer = setInterval(() => this.sendStatus(), this.options.statusMs ?? 500);
    this.timer.unref();
    try {
      return readResumePoint(client.resumeAt, `${this.options.client.host}:${this.options.client.port}`);
    } catch (error) {
      // A malformed answer: the load side hears why, and this attempt ends.
      this.fail(channelError(error));
      throw this.closedBy!;
    }
  }

  async send(batch: SelectedBatch): Promise<void> {
    this.throwIfFailed();
    if (this.streamEnded) throw new FerryError('FERRY_ERR_INTERNAL', { detail: `batch ${batch.seq} sent after the end of the stream` });
    const client = this.connected();
    await this.exclusive(async () => {
      for (const payload of this.payloadsOf(batch, client.batchLimit)) await client.send(payload);
      const status = { ...this.source };
      const seq = await client.send(this.encoder!.encodeControl(CHANNEL_KINDS.batchEnd, encodeJson(batchEndOf(batch, status))));
      this.statusSent = status;
      this.batchEnds.push(seq);
      this.sent.batches += 1;
    });
  }

  end(): void {
    if (this.streamEnded || this.closedBy !== undefined) return;
    this.streamEnded = true;
    const client = this.connected();
    void this.exclusive(() => client.send(this.encoder!.encodeControl(CHANNEL_KINDS.streamEnd, Buffer.alloc(0)))).catch(() => undefined);
  }

  fail(error: FerryError): void {
    if (this.closedBy !== undefined) return;
    this.failed(error);
    this.client?.fail(error);
  }

  /**
   * Ends the connection: after a clean end(), once the load side has committed everything
   * (then goodbye); otherwise at once. Resolves with the failure that ended it, if any.
   */
  async close(): Promise<FerryError | undefined> {
    clearInterval(this.timer);
    const client = this.client;
    if (client === undefined) return this.closedBy;
    await this.sending.catch(() => undefined);
    if (this.streamEnded && this.closedBy === undefined) {
      await client.drained().catch((error: unknown) => this.failed(channelError(error)));
    }
    if (this.closedBy === undefined) client.close();
    else client.fail(this.closedBy);
    return this.closedBy;
  }

  /**
   * A batch's payloads: one when it fits the transport's bound, else its transactions in
   * pieces of at most half the bound before compression (a piece ends after the change that
   * reaches it, and a codec may add a little), encoded one at a time as the window takes them.
   */
  private *payloadsOf(batch: SelectedBatch, limit: number): Generator<Buffer> {
    const encoder = this.encoder!;
    const whole = encoder.encodeBatch(batch.seq, batch.transactions);
    if (whole.length <= limit && encoder.lastSizes.bodyBytes <= BODY_BOUND_FACTOR * limit) {
      yield whole;
      return;
    }
    // Never sent: table ids it defined must be defined again.
    encoder.forget();
    this.log.debug({ seq: batch.seq, bytes: whole.length, limit, transactions: batch.transactions.length }, 'batch sent in pieces');
    const pieceBody = Math.max(1024, Math.floor(limit / 2));
    for (const transaction of batch.transactions) {
      for (const piece of encoder.pieces(batch.seq, transaction, pieceBody)) {
        this.sent.pieces += 1;
        yield piece;
      }
    }
  }

  /** The source status, when it changed and the window is empty (else the next batch-end carries it). */
  private sendStatus(): void {
    const client = this.client;
    if (client === undefined || this.closedBy !== undefined || this.streamEnded || this.busy > 0) return;
    const stats = client.stats();
    if (stats.inFlightBatches > 0) return;
    const status = { ...this.source };
    if (this.statusSent !== undefined && this.statusSent.heardAt === status.heardAt && this.statusSent.behind === status.behind) return;
    this.statusSent = status;
    void this.exclusive(() => client.send(this.encoder!.encodeControl(CHANNEL_KINDS.status, encodeJson(status)))).catch(() => undefined);
  }

  /** Runs `work` after whatever is being sent: payloads of one batch are never interleaved. */
  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    this.busy += 1;
    const run = this.sending.then(work, work);
    this.sending = run.catch(() => undefined);
    return run.then(
      (value) => {
        this.busy -= 1;
        return value;
      },
      (error: unknown) => {
        this.busy -= 1;
        throw this.failed(channelError(error));
      },
    );
  }

  private connected(): PipeClient {
    if (this.client === undefined) throw new FerryError('FERRY_ERR_INTERNAL', { detail: 'a batch sent before the resume answer' });
    return this.client;
  }

  private failed(error: FerryError): FerryError {
    this.closedBy ??= error;
    clearInterval(this.timer);
    return this.closedBy;
  }

  private throwIfFailed(): void {
    if (this.closedBy !== undefined) throw this.closedBy;
  }
}
