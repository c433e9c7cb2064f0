import type { RuntimePipeline } from '../../shared/config/load-pipeline-config.ts';
import { connectEndpoint } from '../pipeline/mysql-tls.ts';
import { sourceTables } from './table-pair.ts';
import { openVerifySession } from './verify-run.ts';
import { SqlSourceSide, type SourceVerifySide } from './verify-side.ts';

/** A source verify side reached from here, closed by `close`. */
export interface OpenedSource {
  side: SourceVerifySide;
  close(): Promise<void>;
  /** Ends at once, a statement in progress failing (the node stops). @default close */
  abort?(): void;
}

/** The pipeline's source over a connection of this process (a whole pipeline, bin/ferry verify, the select node answering its pipe). */
export async function openLocalSource(pipeline: RuntimePipeline): Promise<OpenedSource> {
  const connection = await openVerifySession(connectEndpoint(pipeline.source, 'source'), 'source');
  return {
    side: new SqlSourceSide(connection, (opened) => sourceTables(pipeline, opened)),
    close: () => connection.end().catch(() => undefined),
    abort: () => connection.destroy(),
  };
}
