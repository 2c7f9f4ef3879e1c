import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Where a function lives, coarsely: our code by folder, Node internals, dependencies by package. */
function categoryOf(url: string, functionName: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  const ours = /\/dist\/([^/]+(?:\/[^/]+)?)\//.exec(url);
  if (ours && !url.includes('node_modules')) return `ours: ${ours[1]}`;
  const dependency = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (dependency) return `dependency: ${dependency[1]}`;
  if (url.startsWith('node:')) {
    const area = /^node:internal\/deps\/([^/]+)/.exec(url) ?? /^node:(?:internal\/)?([^/]+)/.exec(url);
    return `node: ${area?.[1] ?? url}`;
  }
  return url;
}

/**
 * Summarizes the newest `.cpuprofile` in `directory`: self time by function (top 25) and by area (our folders,
 * dependencies, Node internals, GC). Self time is the sum of the sampling intervals that landed in the function.
 */
export function summarizeCpuProfile(directory: string, top = 25): string | undefined {
  const files = readdirSync(directory)
    .filter((file) => file.endsWith('.cpuprofile'))
    .map((file) => join(directory, file))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  if (files.length === 0) return undefined;
  const profile = JSON.parse(readFileSync(files[0]!, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfMicros = new Map<number, number>();
  profile.samples.forEach((id, index) => {
    selfMicros.set(id, (selfMicros.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0));
  });
  const byFunction = new Map<string, number>();
  const byCategory = new Map<string, number>();
  let total = 0;
  let idle = 0;
  for (const [id, micros] of selfMicros) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    if (functionName === '(idle)') {
      idle += micros;
      continue;
    }
    total += micros;
    const file = url.replace(/^.*\/(dist|node_modules)\//, '$1/');
    const key = `${functionName || '(anonymous)'}  ${file}${url ? `:${lineNumber + 1}` : ''}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + micros);
    const category = categoryOf(url, functionName);
    byCategory.set(category, (byCategory.get(category) ?? 0) + micros);
  }
  const rows = (map: Map<string, number>, limit: number) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, limit)
      .map(
        ([name, micros]) =>
          `| ${((micros / total) * 100).toFixed(1)} % | ${(micros / 1000).toFixed(0)} ms | \`${name.replaceAll('|', '\\|')}\` |`,
      );
  return [
    `Gateway CPU profile (${files[0]}): ${(total / 1000).toFixed(0)} ms busy, ${(idle / 1000).toFixed(0)} ms idle`,
    '',
    '| self | time | by area |',
    '| ---: | ---: | --- |',
    ...rows(byCategory, 20),
    '',
    '| self | time | function |',
    '| ---: | ---: | --- |',
    ...rows(byFunction, top),
  ].join('\n');
}
