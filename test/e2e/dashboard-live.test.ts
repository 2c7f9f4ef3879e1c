import { mkdirSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isChromiumInstalled, launchChromium } from '../support/chromium.js';
import { type ObservedGateway, openAIBody, readSse, startObservedGateway } from './observability-harness.js';

/**
 * The dashboard in headless Chromium at a laptop's 1366×768: live stream count while paced streams run, a mid-stream
 * failover, then an outage of one deployment of a two-deployment model (fallbacks, the circuit opening). The
 * screenshot lands in test-output/dashboard.png.
 */

const key = 'sk-gw-dashboard';
let gateway: ObservedGateway;
let browser: Browser;

beforeAll(async () => {
  gateway = await startObservedGateway({
    simulator: { tokens: 60, tokensPerSecond: 25, ttftMs: 150 },
    config: {
      server: { api_keys: [{ name: 'ops', key }] },
      circuit_breaker: { failure_threshold: 2, cooldown_ms: 120_000 },
      models: {
        duo: {
          midstream_failover: true,
          deployments: [
            { provider: 'sim', model: 'sim-alpha' },
            { provider: 'sim', model: 'sim-beta' },
          ],
        },
        'claude-sim': { deployments: [{ provider: 'simant', model: 'sim-claude' }] },
      },
    },
  });
  if (isChromiumInstalled()) browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await gateway?.close();
});

const stream = (content: string) =>
  fetch(`${gateway.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify(openAIBody('duo', true, content)),
  }).then((response) => readSse(response));

describe.skipIf(!isChromiumInstalled())('dashboard', () => {
  it('shows live streams, a failover, an outage with the circuit opening, and looks right at 1366×768', async () => {
    const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
    const unauthenticated = await browser.newPage();
    await unauthenticated.goto(`${gateway.url}/dashboard`);
    await unauthenticated.locator('#login-form').waitFor({ state: 'visible' });
    await unauthenticated.close();

    await page.goto(`${gateway.url}/dashboard?api_key=${key}`);
    expect(page.url()).not.toContain(key);
    await page.locator('[data-testid=connection-status][data-status=live]').waitFor();
    await expect
      .poll(() => page.locator('[data-deployment="sim/sim-alpha"] [data-state]').getAttribute('data-state'))
      .toBe('closed');

    // Three paced streams (60 tokens at 25/s): visibly active for more than two seconds.
    const healthy = [stream('one'), stream('two'), stream('three')];
    await expect.poll(() => page.locator('[data-testid=active-streams]').textContent(), { timeout: 5000 }).toBe('3');
    await expect
      .poll(async () => Number(await page.locator('[data-testid=stream-tokens]').first().textContent()), {
        timeout: 5000,
      })
      .toBeGreaterThan(0);
    await Promise.all(healthy);

    // A stream cut after 5 tokens on sim-alpha continues on sim-beta.
    gateway.simulator.setFault({ match: 'sim-alpha', fault: 'drop_after:5', remaining: 1 });
    await stream('failover please');
    await page.locator('[data-testid=event-feed] li[data-kind=failover]').first().waitFor({ timeout: 5000 });

    // Outage: sim-alpha answers 503; requests fall back to sim-beta and the breaker opens.
    gateway.simulator.setFault({ match: 'sim-alpha', fault: 'status:503' });
    const outage = [stream('during outage 1'), stream('during outage 2')];
    await page.locator('[data-testid=event-feed] li[data-kind=error]').first().waitFor({ timeout: 5000 });
    await Promise.all(outage);
    const more = [stream('after open 1'), stream('after open 2')];
    await expect
      .poll(() => page.locator('[data-deployment="sim/sim-alpha"] [data-state]').getAttribute('data-state'), {
        timeout: 5000,
      })
      .toBe('open');
    await page.locator('[data-testid=event-feed] li[data-kind=circuit][data-state=open]').first().waitFor();
    await page.locator('[data-testid=event-feed] li[data-kind=fallback]').first().waitFor();
    await expect.poll(() => page.locator('[data-testid=active-streams]').textContent()).not.toBe('0');
    // Let both charts gather a few seconds of points, then take the picture while streams still run.
    await page.waitForTimeout(1500);
    mkdirSync('test-output', { recursive: true });
    await page.screenshot({ path: 'test-output/dashboard.png' });
    await Promise.all(more);
    gateway.simulator.setFault(undefined);

    await expect.poll(() => page.locator('[data-testid=active-streams]').textContent(), { timeout: 5000 }).toBe('0');
    expect(Number(await page.locator('[data-testid=total-requests]').textContent())).toBe(8);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
    expect(overflow).toBe(false);
    await page.close();
  }, 60_000);
});
