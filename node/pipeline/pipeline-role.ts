/**
 * Which part of a pipeline a runner runs (docs/split-pipelines.md). `whole`: Select to Load in
 * this process, as `bin/ferry run` does. A split pipeline runs as two runners on two nodes in
 * two datacenters: the `select` side (Select, Extract) next to the source dials the `load`
 * side (Transform, Load) next to the target through the node-to-node pipe; both prove the
 * per-assignment secret the leader wrote into both assignment records.
 */
export type PipelineRole = WholeRole | LoadRole | SelectRole;

export interface WholeRole {
  readonly side: 'whole';
}

export interface LoadRole {
  readonly side: 'load';
  /** The pipe secret, opened (32 bytes). */
  readonly secret: Buffer;
  /** The one select side this load side accepts: its node and the epoch it presents. */
  readonly selectNode: string;
  readonly selectEpoch: number;
}

export interface SelectRole {
  readonly side: 'select';
  readonly secret: Buffer;
  /** This side's own epoch, presented in the pipe's hello. */
  readonly epoch: number;
  readonly loadNode: string;
  readonly loadEpoch: number;
  /** The load node's advertised pipe address, and whether it speaks TLS. */
  readonly host: string;
  readonly port: number;
  readonly tls: boolean;
}

export const WHOLE: WholeRole = Object.freeze({ side: 'whole' });
