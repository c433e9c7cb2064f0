import { describeError } from '../../shared/errors/index.ts';
import type { Logger } from '../../shared/logging.ts';

export interface PassLoopOptions {
  /** Quiet time after a trigger before the pass runs, so a burst of watch events makes one pass. */
  debounceMs: number;
  /** A pass without any trigger, in case a watch was lost. */
  safetyNetMs: number;
  /** After a failed pass (nobody knows which watches were set). */
  onFailure: () => void;
}

/**
 * Runs a pass function one at a time: triggers during a pass make one more pass after it, a
 * failed pass is retried after the debounce, and `wakeIn` asks for a pass at a given time
 * (the end of a protection period). The pass resolves to true to ask for another pass.
 */
export class PassLoop {
  private debounce: NodeJS.Timeout | undefined;
  private safetyNet: NodeJS.Timeout | undefined;
  private wake: NodeJS.Timeout | undefined;
  private pass: Promise<void> | undefined;
  private again = false;
  stopped = false;

  constructor(
    private readonly run: () => Promise<boolean>,
    private readonly log: Logger,
    private readonly options: PassLoopOptions,
  ) {}

  start(): void {
    this.safetyNet = setInterval(() => this.trigger(), this.options.safetyNetMs);
    this.trigger(0);
  }

  /** Resolves once no pass runs and none will. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.debounce);
    clearTimeout(this.wake);
    clearInterval(this.safetyNet);
    await this.pass;
  }

  trigger(delayMs = this.options.debounceMs): void {
    if (this.stopped || this.debounce !== undefined) return;
    this.debounce = setTimeout(() => {
      this.debounce = undefined;
      this.runPass();
    }, delayMs);
  }

  /** One pass `ms` from now (replacing an earlier wake-up); nothing when undefined. */
  wakeIn(ms: number | undefined): void {
    clearTimeout(this.wake);
    this.wake = undefined;
    if (ms === undefined || this.stopped) return;
    // +1: the deadline has passed for sure when the pass reads the clock.
    this.wake = setTimeout(() => this.trigger(0), ms + 1);
  }

  private runPass(): void {
    if (this.pass) {
      this.again = true;
      return;
    }
    this.pass = (this.stopped ? Promise.resolve(false) : this.run())
      .then((more) => {
        if (more) this.again = true;
      }, (error: unknown) => {
        this.options.onFailure();
        this.log.warn({ detail: describeError(error) }, 'scheduling pass failed; retrying');
        this.again = true;
      })
      .finally(() => {
        this.pass = undefined;
        if (this.again) {
          this.again = false;
          this.trigger();
        }
      });
  }
}
