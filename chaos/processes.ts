import { startClusterProcess, type ClusterProcess } from '../cli/demo/cluster-processes.ts';

/**
 * A `bin/ferry manager` or `node` the suite may kill, stop and start again under the same name
 * and arguments (its log file appended to), as a supervisor would.
 */
export class ChaosProcess {
  private current: ClusterProcess;
  private stopped = false;

  constructor(
    readonly name: string,
    private readonly args: string[],
    private readonly logDir: string,
    private readonly env: NodeJS.ProcessEnv,
  ) {
    this.current = startClusterProcess(name, args, logDir, env);
  }

  get pid(): number {
    return this.current.child.pid!;
  }

  get process(): ClusterProcess {
    return this.current;
  }

  alive(): boolean {
    return this.current.child.exitCode === null && this.current.child.signalCode === null;
  }

  /** kill -9, and waits until the pid has gone. */
  async kill9(): Promise<void> {
    if (!this.alive()) return;
    const exited = new Promise<void>((resolve) => this.current.child.once('exit', () => resolve()));
    this.current.child.kill('SIGKILL');
    await exited;
    this.stopped = false;
  }

  freeze(): void {
    this.current.child.kill('SIGSTOP');
    this.stopped = true;
  }

  thaw(): void {
    this.current.child.kill('SIGCONT');
    this.stopped = false;
  }

  /** Starts it again with the same arguments (after kill9). */
  restart(): ClusterProcess {
    this.current = startClusterProcess(this.name, this.args, this.logDir, this.env);
    return this.current;
  }

  /** A clean stop (a frozen process is thawed first, or SIGTERM would wait for ever). */
  async stop(): Promise<void> {
    if (this.stopped) this.thaw();
    await this.current.stop();
  }
}
