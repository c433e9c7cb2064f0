import { FerryError } from '../../shared/errors/index.ts';
import type { Logger } from '../../shared/logging.ts';
import type { ServerTls } from '../../shared/tls/tls-options.ts';
import type { PipeTuning } from './pipe-options.ts';
import { PipeServer, type PipeAuthorization } from './pipe-server.ts';
import type { PipeSession, PipeSessionControls, PipeSink } from './server-session.ts';
import type { PipeSessionStats } from './server-session.ts';
import type { VerifyOp } from './verify-messages.ts';

/** What a load side waiting for its select side registered: whom it accepts, and what runs a session. */
export interface PipeSlotSpec {
  /** The epoch the select side presents (its own assignment's). */
  selectEpoch: number;
  secret: Buffer;
  attach(session: PipeSession, controls: PipeSessionControls): PipeSink | Promise<PipeSink>;
}

/** A load side's place in the node's pipe server, while its runner's attempt runs. */
export interface PipeSlot {
  /** This pipeline's live session, if any. */
  stats(): PipeSessionStats | undefined;
  /** Ends the live session (the select side hears `error`), takes the slot out, and waits until the session has finished. */
  close(error: FerryError): Promise<void>;
}

/**
 * A node's one pipe listener (--pipe-listen) shared by every load side it runs: a select side
 * that connects is let in only while the load side of its pipeline holds a slot here, and
 * only under the select epoch and secret of that slot (both from the load side's assignment).
 */
export class PipeHost {
  private readonly slots = new Map<string, PipeSlotSpec>();

  private constructor(private server: PipeServer | undefined) {}

  static async listen(options: { host: string; port: number; tls?: ServerTls; tuning?: PipeTuning; log: Logger }): Promise<PipeHost> {
    const host = new PipeHost(undefined);
    host.server = await PipeServer.listen({
      host: options.host,
      port: options.port,
      ...options.tuning,
      ...(options.tls === undefined ? {} : { tls: options.tls }),
      log: options.log,
      authorize: (pipeline, epoch) => host.authorize(pipeline, epoch),
      attach: (session, controls) => {
        const slot = host.slots.get(session.pipeline);
        if (slot === undefined) throw new FerryError('FERRY_ERR_PIPE_NOT_ASSIGNED', { peer: session.peer, pipeline: session.pipeline, epoch: session.epoch });
        return slot.attach(session, controls);
      },
    });
    return host;
  }

  get address(): { host: string; port: number } {
    return this.server!.address;
  }

  /** Registers the load side of `pipeline`; a slot of an older attempt must have been closed. */
  open(pipeline: string, spec: PipeSlotSpec): PipeSlot {
    if (this.slots.has(pipeline)) throw new FerryError('FERRY_ERR_INTERNAL', { detail: `two load sides of pipeline ${pipeline} in one node` });
    this.slots.set(pipeline, spec);
    const server = this.server!;
    return {
      stats: () => server.stats().find((session) => session.pipeline === pipeline),
      close: async (error) => {
        if (this.slots.get(pipeline) === spec) this.slots.delete(pipeline);
        await server.endSession(pipeline, error);
      },
    };
  }

  /**
   * Asks the select side of `pipeline` a verify question over its live session (only while a
   * load side of this node holds the pipeline's slot); undefined when no select side is connected.
   */
  verifyAsker(pipeline: string): ((op: VerifyOp, args: Record<string, unknown>) => Promise<unknown>) | undefined {
    if (!this.slots.has(pipeline)) return undefined;
    const session = this.server!.session(pipeline);
    return session === undefined ? undefined : (op, args) => session.verifyRequest(op, args);
  }

  /** Stops listening and ends every session (after the runners stopped). */
  close(): Promise<void> {
    return this.server!.close();
  }

  private authorize(pipeline: string, epoch: number): PipeAuthorization {
    const slot = this.slots.get(pipeline);
    if (slot === undefined) return undefined;
    return slot.selectEpoch === epoch ? slot.secret : { heldEpoch: slot.selectEpoch };
  }
}
