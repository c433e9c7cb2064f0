import { pipelineFromFlags } from './pipeline-from-flags.ts';
import { FerryError, describeError, isFerryError } from '../shared/errors/index.ts';
import { verifyPipelineTables, type TableReport } from '../node/verify/verify-run.ts';
import { DEFAULT_CHUNK_ROWS } from '../node/verify/table-verifier.ts';
import { PASSWORD_FLAGS, flagPasswords, withPasswords } from './run-passwords.ts';
import { UsageProblems, parseCommandArgs, positiveInt, type Command } from './command.ts';

const usage = `Usage: bin/ferry verify --source URL --target URL --tables LIST [options]
       bin/ferry verify --config pipeline.yaml [options]

Compares every table a pipeline replicates between source and target, without stopping
anything: chunks of rows are counted and checksummed on each server (only counts and hashes
travel), differing chunks are cut down to the rows that differ. Table rules (renames, column
selections) apply as they do to replication. Exit 0: identical; 1: differences; 2: an error.

Options:
  --config FILE          a pipeline file (its source, target and tables)
  --source URL, --target URL, --tables LIST   as for bin/ferry run
  --repair               write what mends the target: each differing row as the source holds
                         it now, rows the source does not have deleted
  --print-sql            print the repair statements instead of running them (for review)
  --json                 one JSON object: {tables: [{table, target, rows, missing, extra,
                         different, samples}]}
  --chunk-rows N         rows per checksummed chunk (default ${DEFAULT_CHUNK_ROWS})
  --source-password-env VAR, --source-password-file FILE, and the same for --target-
`;

function reportLine(report: TableReport): string {
  const same = report.missing + report.extra + report.different === 0;
  const target = report.target === report.table ? '' : ` -> ${report.target}`;
  return `${report.table}${target}: ${report.rows} rows, ${same ? 'identical' : `${report.missing} missing, ${report.extra} extra, ${report.different} different`}`;
}

export const verifyCommand: Command = {
  name: 'verify',
  summary: 'compare (and repair) a pipeline\'s tables between source and target',
  usage,
  async run(argv, { out }) {
    const problems = new UsageProblems();
    const { values } = parseCommandArgs(argv, {
      config: { type: 'string' },
      source: { type: 'string' },
      target: { type: 'string' },
      tables: { type: 'string' },
      repair: { type: 'boolean' },
      'print-sql': { type: 'boolean' },
      json: { type: 'boolean' },
      'chunk-rows': { type: 'string' },
      ...PASSWORD_FLAGS,
      help: { type: 'boolean', short: 'h' },
    }, false, problems);
    if (values.help) {
      out(usage);
      return 0;
    }
    const chunkRows = problems.check(() => positiveInt(values['chunk-rows'], '--chunk-rows', DEFAULT_CHUNK_ROWS), DEFAULT_CHUNK_ROWS);
    if (values.config === undefined && (values.source === undefined || values.target === undefined || values.tables === undefined)) {
      problems.add('give --config FILE, or all of --source, --target and --tables');
    }
    if (values['print-sql'] && !values.repair) problems.add('--print-sql goes with --repair');
    problems.done();
    try {
      const pipeline = withPasswords(await pipelineFromFlags(values), flagPasswords(values));
      const repair = values.repair === true;
      const apply = repair && values['print-sql'] !== true;
      const reports = await verifyPipelineTables(pipeline, {
        chunkRows,
        repair,
        apply,
        onTable: (report) => {
          if (values.json) return;
          out(reportLine(report));
          if (report.repair && !apply) for (const statement of report.repair) out(statement);
          else if (report.repair) out(`  repaired: ${report.repair.length} statements`);
        },
      });
      if (values.json) out(JSON.stringify({ tables: reports.map(({ repair: statements, ...rest }) => (statements && !apply ? { ...rest, repair: statements } : rest)) }));
      const differs = reports.some((r) => r.missing + r.extra + r.different > 0);
      // Repaired: what was found is reported (exit 1); a second verify says whether it is identical now.
      return differs ? 1 : 0;
    } catch (error) {
      const failure = isFerryError(error) ? error : new FerryError('FERRY_ERR_INTERNAL', { detail: describeError(error) });
      process.stderr.write(`ferry: ${failure.toLine()}\n`);
      return 2;
    }
  },
};
