import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { openLedgerReadOnly } from '../node/ledger/ledger-schema-reader.js';
import type { UsageGroupBy, UsageTotals } from '../server/observability/usage-ledger.js';
import { parseUsageQuery, sumUsageTotals } from '../server/observability/usage-query.js';
import { UsageError } from './usage-error.js';

const help = `Usage: circuit-breaker usage [options]

Usage and cost totals from the ledger, as a table.

Options:
  --group-by <g>   key | model | deployment | day (default: key)
  --from <time>    ISO date or date-time, or epoch ms (inclusive)
  --to <time>      ISO date or date-time, or epoch ms (exclusive)
  --db <path>      read a ledger file directly (default: ./.cb-data/ledger.sqlite)
  --url <url>      ask a running gateway instead (GET /v1/usage); key from CIRCUIT_BREAKER_API_KEY
  --json           print the JSON instead of a table
  -h, --help       show this help`;

/** `circuit-breaker usage`: the same totals as `GET /v1/usage`, from the SQLite file or from a gateway. */
export async function runUsageCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      'group-by': { type: 'string', default: 'key' },
      from: { type: 'string' },
      to: { type: 'string' },
      db: { type: 'string' },
      url: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${help}\n`);
    return 0;
  }
  const { groupBy, from, to } = parseUsageQuery(
    { groupBy: values['group-by'], from: values.from, to: values.to },
    {
      names: { from: '--from', to: '--to' },
      invalidGroupBy: (choices) => new UsageError(`--group-by must be one of ${choices}`),
    },
  );
  const rows = values.url
    ? await fetchTotals({ url: values.url, groupBy, from, to })
    : await readTotals({ path: values.db ?? './.cb-data/ledger.sqlite', groupBy, from, to });
  process.stdout.write(values.json ? `${JSON.stringify(rows, null, 2)}\n` : formatUsageTable(groupBy, rows));
  return 0;
}

async function readTotals(options: { path: string; groupBy: UsageGroupBy; from?: number; to?: number }) {
  if (!existsSync(options.path))
    throw new UsageError(`No ledger at ${options.path} (pass --db <path> or --url <gateway>)`);
  const { queryUsageTotals } = await import('../node/ledger/ledger-schema.js');
  const db = openLedgerReadOnly(options.path);
  try {
    return queryUsageTotals(db, options);
  } finally {
    db.close();
  }
}

async function fetchTotals(options: { url: string; groupBy: UsageGroupBy; from?: number; to?: number }) {
  const url = new URL('/v1/usage', options.url);
  url.searchParams.set('group_by', options.groupBy);
  if (options.from !== undefined) url.searchParams.set('from', String(options.from));
  if (options.to !== undefined) url.searchParams.set('to', String(options.to));
  const key = process.env.CIRCUIT_BREAKER_API_KEY;
  const response = await fetch(url, { headers: key ? { authorization: `Bearer ${key}` } : {} });
  if (!response.ok) throw new UsageError(`${url.origin} answered ${response.status}: ${await response.text()}`);
  return ((await response.json()) as { data: UsageTotals[] }).data;
}

/** The totals as an aligned text table with a total line. */
export function formatUsageTable(groupBy: UsageGroupBy, rows: readonly UsageTotals[]): string {
  const header = [groupBy, 'requests', 'prompt tok', 'completion tok', 'cost usd', 'errors', 'partial'];
  const total = { group: 'total', ...sumUsageTotals(rows) };
  const cells = [...rows, total].map((row) => [
    row.group,
    String(row.requests),
    String(row.promptTokens),
    String(row.completionTokens),
    row.costUsd.toFixed(6),
    String(row.errors),
    String(row.partial),
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...cells.map((cell) => cell[column].length)));
  const line = (cell: string[]) =>
    cell
      .map((value, column) => (column === 0 ? value.padEnd(widths[column]) : value.padStart(widths[column])))
      .join('  ');
  const rule = widths.map((width) => '-'.repeat(width)).join('  ');
  const body = cells.slice(0, -1).map(line);
  return `${[line(header), rule, ...(body.length ? body : ['(no usage in this range)']), rule, line(cells[cells.length - 1])].join('\n')}\n`;
}
