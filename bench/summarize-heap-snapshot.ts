/**
 * What grew between two heap snapshots (bench/memory-probe.ts --snapshot): objects counted and their self size
 * summed by kind (V8 node type + constructor or function name), the later minus the earlier, divided by N (the
 * streams open in the later one). Self sizes only: a stream's objects are each counted once, so their sum per
 * stream is what a stream retains; which object holds which is for DevTools to show.
 *
 *   npx tsx bench/summarize-heap-snapshot.ts idle.heapsnapshot open.heapsnapshot [N] [rows]
 */
import { readFileSync } from 'node:fs';

interface HeapSnapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

interface Tally {
  count: number;
  bytes: number;
}

/** Self size and count per kind: `type name` (long names, such as strings' contents, cut to one line). */
function tallyByKind(file: string): Map<string, Tally> {
  const heap = JSON.parse(readFileSync(file, 'utf8')) as HeapSnapshot;
  const fields = heap.snapshot.meta.node_fields;
  const types = heap.snapshot.meta.node_types[0];
  const stride = fields.length;
  const typeAt = fields.indexOf('type');
  const nameAt = fields.indexOf('name');
  const sizeAt = fields.indexOf('self_size');
  const tallies = new Map<string, Tally>();
  for (let offset = 0; offset < heap.nodes.length; offset += stride) {
    const type = types[heap.nodes[offset + typeAt]!] ?? 'unknown';
    // A string's name is its content, a number's is its value: group those by type alone.
    const named = type !== 'string' && type !== 'concatenated string' && type !== 'sliced string' && type !== 'number';
    const name = named ? (heap.strings[heap.nodes[offset + nameAt]!] ?? '').slice(0, 60).replace(/\s+/g, ' ') : '';
    const kind = `${type} ${name}`.trim();
    const tally = tallies.get(kind) ?? { count: 0, bytes: 0 };
    tally.count++;
    tally.bytes += heap.nodes[offset + sizeAt]!;
    tallies.set(kind, tally);
  }
  return tallies;
}

const [earlierFile, laterFile, perArgument, rowsArgument] = process.argv.slice(2);
if (earlierFile === undefined || laterFile === undefined) {
  process.stderr.write('usage: summarize-heap-snapshot.ts <earlier.heapsnapshot> <later.heapsnapshot> [N] [rows]\n');
  process.exit(2);
}
const per = Number(perArgument ?? 1);
const rows = Number(rowsArgument ?? 40);
const earlier = tallyByKind(earlierFile);
const later = tallyByKind(laterFile);
const growth: Array<{ kind: string; count: number; bytes: number }> = [];
for (const [kind, tally] of later) {
  const before = earlier.get(kind) ?? { count: 0, bytes: 0 };
  growth.push({ kind, count: tally.count - before.count, bytes: tally.bytes - before.bytes });
}
growth.sort((a, b) => b.bytes - a.bytes);
const total = growth.reduce((sum, row) => sum + row.bytes, 0);
process.stdout.write(`grown self size: ${(total / per).toFixed(0)} bytes per ${per === 1 ? 'snapshot' : 'stream'}\n`);
process.stdout.write(`${'bytes'.padStart(9)} ${'count'.padStart(8)}  kind\n`);
for (const row of growth.slice(0, rows)) {
  const bytes = (row.bytes / per).toFixed(0).padStart(9);
  const count = (row.count / per).toFixed(2).padStart(8);
  process.stdout.write(`${bytes} ${count}  ${row.kind}\n`);
}
