import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  anthropicBody,
  type ObservedGateway,
  openAIBody,
  readSse,
  startObservedGateway,
} from './observability-harness.js';

/** The usage ledger end to end: rows per request on both routes, partial rows, totals, restart. */

const key = 'sk-gw-team-alpha';
const plainKey = 'sk-gw-plain';
let gateway: ObservedGateway;
const headers = (apiKey = key) => ({ 'content-type': 'application/json', authorization: `Bearer ${apiKey}` });

beforeAll(async () => {
  gateway = await startObservedGateway({
    simulator: { tokens: 12, tokensPerSecond: 0 },
    config: { server: { api_keys: [{ name: 'team-alpha', key }, plainKey] } },
  });
});
afterAll(() => gateway?.close());

const post = (path: string, body: unknown, apiKey?: string) =>
  fetch(`${gateway.url}${path}`, { method: 'POST', headers: headers(apiKey), body: JSON.stringify(body) });

describe('usage ledger', () => {
  it('writes a row for streamed and non-streamed requests on both routes, with the key name, never the key', async () => {
    const answers = await Promise.all([
      post('/v1/chat/completions', openAIBody('duo', false)),
      post('/v1/chat/completions', { ...openAIBody('duo', true), stream_options: { include_usage: true } }),
      post('/v1/messages', anthropicBody('claude-sim', false)),
      post('/v1/messages', anthropicBody('claude-sim', true)),
    ]);
    for (const answer of answers) {
      expect(answer.status).toBe(200);
      await answer.text();
    }
    await gateway.settle();
    const rows = gateway.rows();
    expect(rows).toHaveLength(4);
    const find = (route: string, stream: number) => rows.find((row) => row.route === route && row.stream === stream)!;
    for (const row of [find('/v1/chat/completions', 0), find('/v1/chat/completions', 1)]) {
      expect(row).toMatchObject({
        identity: 'team-alpha',
        model: 'duo',
        deployment: 'sim/sim-alpha',
        outcome: 'success',
      });
      expect(row.partial).toBe(0);
      expect(row.completion_tokens).toBeGreaterThan(0);
      expect(row.prompt_tokens).toBeGreaterThan(0);
      // 1 $/M in, 2 $/M out, from the config's price table.
      expect(row.cost_usd).toBeCloseTo((row.prompt_tokens * 1 + row.completion_tokens * 2) / 1e6, 10);
    }
    for (const row of [find('/v1/messages', 0), find('/v1/messages', 1)]) {
      expect(row).toMatchObject({ identity: 'team-alpha', model: 'claude-sim', deployment: 'simant/sim-claude' });
      expect(row.cost_usd).toBeCloseTo((row.prompt_tokens * 3 + row.completion_tokens * 15) / 1e6, 10);
    }
    expect(find('/v1/chat/completions', 1).ttft_ms).toBeGreaterThan(0);
    expect(JSON.stringify(rows)).not.toContain(key);
  });

  it('records a disconnected stream as partial with the tokens actually delivered', async () => {
    gateway.simulator.resetStats();
    const abort = new AbortController();
    const slow = { ...openAIBody('duo', true), model: 'duo' };
    // Paced upstream: 12 tokens at 10/s, so the client leaves in the middle.
    gateway.simulator.setFault({ match: 'sim-alpha', fault: 'slow:10' });
    const response = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: headers(plainKey),
      body: JSON.stringify(slow),
      signal: abort.signal,
    });
    const frames = await readSse(response, { stopAfter: 3, abort });
    gateway.simulator.setFault(undefined);
    const deliveredText = frames
      .filter((frame) => frame !== '[DONE]')
      .map((frame) => JSON.parse(frame).choices[0]?.delta?.content ?? '')
      .join('');
    await new Promise((resolve) => setTimeout(resolve, 200));
    await gateway.settle();
    const row = gateway.rows().find((candidate) => candidate.identity.startsWith('key_'))!;
    expect(row).toBeDefined();
    expect(row).toMatchObject({ outcome: 'cancelled', partial: 1, estimated: 1, status: 499, stream: 1 });
    expect(deliveredText.length).toBeGreaterThan(0);
    // Counted from what left the gateway: at least what this client read, far less than the full answer.
    expect(row.completion_tokens).toBeGreaterThanOrEqual(2);
    expect(row.completion_tokens).toBeLessThan(12);
    expect(row.prompt_tokens).toBeGreaterThan(0);
  });

  it('answers totals by key, model, deployment and day, within from/to', async () => {
    const get = async (query: string) => {
      const response = await fetch(`${gateway.url}/v1/usage?${query}`, { headers: headers() });
      expect(response.status).toBe(200);
      return (await response.json()) as {
        data: { group: string; requests: number; completionTokens: number; costUsd: number; partial: number }[];
        total: { requests: number };
      };
    };
    const rows = gateway.rows();
    const byKey = await get('group_by=key');
    expect(byKey.total.requests).toBe(rows.length);
    expect(byKey.data.find((group) => group.group === 'team-alpha')?.requests).toBe(4);
    expect(byKey.data.find((group) => group.group.startsWith('key_'))?.partial).toBe(1);
    const byModel = await get('group_by=model');
    expect(byModel.data.map((group) => group.group).sort()).toEqual(['claude-sim', 'duo']);
    const byDeployment = await get('group_by=deployment');
    expect(byDeployment.data.map((group) => group.group).sort()).toEqual(['sim/sim-alpha', 'simant/sim-claude']);
    const byDay = await get('group_by=day');
    expect(byDay.data).toHaveLength(1);
    expect(byDay.data[0].group).toBe(new Date().toISOString().slice(0, 10));
    const future = await get(`group_by=key&from=${Date.now() + 60_000}`);
    expect(future.data).toEqual([]);
    const bad = await fetch(`${gateway.url}/v1/usage?group_by=colour`, { headers: headers() });
    expect(bad.status).toBe(400);
    expect(
      (await fetch(`${gateway.url}/v1/usage?group_by=key`, { headers: { authorization: 'Bearer nope' } })).status,
    ).toBe(401);
  });

  it('keeps the data across a restart', async () => {
    const before = gateway.rows().length;
    const ledgerPath = gateway.ledgerPath;
    await gateway.close();
    gateway = await startObservedGateway({
      ledgerPath,
      config: { server: { api_keys: [{ name: 'team-alpha', key }, plainKey] } },
    });
    const response = await fetch(`${gateway.url}/v1/usage?group_by=key`, { headers: headers() });
    const body = (await response.json()) as { total: { requests: number } };
    expect(body.total.requests).toBe(before);
    const answer = await post('/v1/chat/completions', openAIBody('duo', false));
    await answer.text();
    await gateway.settle();
    expect(gateway.rows()).toHaveLength(before + 1);
  });

  it('prints the same totals as a table with `circuit-breaker usage`, from the file and from the gateway', async () => {
    const run = (args: string[]) =>
      promisify(execFile)(process.execPath, ['--import', 'tsx', 'src/cli/index.ts', 'usage', ...args], {
        env: { ...process.env, CIRCUIT_BREAKER_API_KEY: key },
      });
    const fromFile = await run(['--db', gateway.ledgerPath, '--group-by', 'model']);
    expect(fromFile.stdout).toMatch(/^model\s+requests\s+prompt tok/);
    expect(fromFile.stdout).toMatch(/\nduo\s+\d+/);
    expect(fromFile.stdout).toMatch(/\ntotal\s+\d+/);
    const fromGateway = await run(['--url', gateway.url, '--group-by', 'model']);
    expect(fromGateway.stdout).toBe(fromFile.stdout);
  }, 30_000);
});
