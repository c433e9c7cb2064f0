export { PipeServer, type PipeAuthorization, type PipeServerOptions } from './pipe-server.ts';
export { PipeClient, type PipeClientOptions, type PipeClientStats } from './pipe-client.ts';
export type { PipeSession, PipeSessionStats, PipeSink } from './server-session.ts';
export type { PipePosition } from './control-messages.ts';
export type { WindowLimits } from './flow-control.ts';
export type { PipeTuning } from './pipe-options.ts';
export { pipeTls, type PipeTls } from './pipe-tls.ts';
