import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAST_ANALYSIS as analysis, push, useRuntime } from '../support/runtime.js';

/**
 * The dashboard in a real browser (Debian's chromium through playwright-core) against the local runtime: a rollout
 * appears live after a push, its page shows the weight chart and measurements, a refused command shows the server's
 * 409, a confirmed promote moves it on and lands in the audit log, and the flags playground evaluates a flag.
 */

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`dashboard e2e skipped: ${CHROMIUM} is absent (.ci/run installs it with apt-get install chromium)`);

describe.skipIf(!hasChromium)('the web dashboard', () => {
  const runtime = useRuntime({
    config: { services: { gated: { repository: 'gated', environment: 'local', router: { kind: 'local' }, strategy: { kind: 'canary', stages: [50, 100], stageSeconds: 2, autoPromote: false, analysis } } } },
  });
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
    page = await browser.newPage();
    page.setDefaultTimeout(15_000);
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('GET / redirects to /ui/, which serves the page and its bundle', async () => {
    const root = await fetch(`${runtime().url}/`, { redirect: 'manual' });
    expect(root.status).toBe(302);
    expect(root.headers.get('location')).toBe('/ui/');
    const js = await fetch(`${runtime().url}/ui/app.js`);
    expect(js.headers.get('content-type')).toContain('text/javascript');
    expect((await js.text()).length).toBeGreaterThan(10_000);
  });

  it('shows the service, then a paused rollout appearing live after a push', async () => {
    await page.goto(`${runtime().url}/ui/`);
    const service = page.locator('section[data-service="gated"]');
    await expect.poll(() => service.locator('h2').textContent()).toBe('gated');
    expect(await service.textContent()).toContain('No rollouts yet.');
    await expect.poll(() => page.getByTestId('updated-at').textContent()).toMatch(/^Updated at /);

    await push(runtime(), 'gated', '--tag', 'v2');
    const paused = service.locator('tr[data-rollout] [data-phase="Paused"]');
    await paused.waitFor({ timeout: 20_000 });
    expect(await service.locator('tr[data-rollout]').first().textContent()).toContain('stable 50 % · canary 50 %');
  });

  it('opens the rollout: phase, step, weight chart, a measurement with its threshold', async () => {
    await page.locator('section[data-service="gated"] tr[data-rollout] a').first().click();
    await page.getByRole('heading', { level: 1, name: /^Rollout gated-/ }).waitFor();
    expect(await page.getByTestId('phase').textContent()).toContain('Paused');
    expect(await page.getByTestId('step').textContent()).toBe('3/5');
    expect(await page.locator('canvas[data-testid="weight-chart"]').getAttribute('aria-label')).toContain('50 % at');
    const row = page.getByTestId('measurement-row').first();
    await row.waitFor();
    const cells = await row.locator('td').allTextContents();
    expect(cells).toContain('http5xxRate');
    expect(cells).toContain('≤ 5');
    expect(cells.join(' ')).toMatch(/pass/);
  });

  it('a command the rollout refuses shows the server’s 409 message in the dialog', async () => {
    await page.getByRole('button', { name: 'Approve', exact: true }).click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    // Focus moved into the dialog, on the reason field.
    expect(await page.evaluate(() => document.activeElement?.tagName)).toBe('TEXTAREA');
    await dialog.getByRole('button', { name: 'Confirm approve' }).click();
    const refusal = dialog.getByRole('alert');
    await refusal.waitFor();
    expect(await refusal.textContent()).toContain('Refused: no approval gate is pending (step 3/5 is a pause step)');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    // Focus is back on the button that opened the dialog.
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Approve');
  });

  it('promote with a reason moves the rollout on; the audit log shows who and why', async () => {
    await page.getByLabel('Acting as').fill('ana');
    await page.getByRole('button', { name: 'Promote', exact: true }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel(/Reason/).fill('dashboards look fine');
    await dialog.getByRole('button', { name: 'Confirm promote' }).click();
    await dialog.waitFor({ state: 'hidden' });
    expect(await page.getByTestId('command-result').textContent()).toContain('step 3/5 promoted');

    await expect.poll(() => page.getByTestId('phase').textContent(), { timeout: 20_000 }).not.toContain('Paused');
    const promoted = page.getByTestId('audit').locator('tr', { hasText: 'step.promoted' });
    await promoted.waitFor();
    const cells = await promoted.locator('td').allTextContents();
    expect(cells[1]).toBe('user:ana');
    expect(cells[3]).toBe('step 3/5 (pause) promoted: dashboards look fine');
  });

  it('the flags playground evaluates a flag from local/flags.default.json', async () => {
    await page.getByRole('link', { name: 'Flags' }).click();
    await page.getByRole('heading', { level: 1, name: 'Flags' }).waitFor();
    await expect.poll(() => page.getByLabel('Flag', { exact: true }).locator('option').allTextContents()).toContain('new-checkout');
    await page.getByLabel('Flag', { exact: true }).selectOption('new-checkout');
    await page.getByLabel('Evaluation context (JSON)').fill('{"targetingKey": "user-42", "plan": "enterprise", "country": "GB"}');
    await page.getByRole('button', { name: 'Evaluate' }).click();
    await page.getByTestId('flag-result').waitFor();
    expect(await page.getByTestId('flag-value').textContent()).toBe('true');
    expect(await page.getByTestId('flag-reason').textContent()).toBe('TARGETING_MATCH');
    expect(await page.getByTestId('flag-error').textContent()).toBe('none');

    await page.getByLabel('Flag key (or type one)').fill('no-such-flag');
    await page.getByRole('button', { name: 'Evaluate' }).click();
    await expect.poll(() => page.getByTestId('flag-error').textContent()).toContain('FLAG_NOT_FOUND');
  });

  it('the DORA page shows the levels table and one chart per metric', async () => {
    await page.getByRole('link', { name: 'DORA' }).click();
    const levels = page.getByTestId('dora-levels');
    await expect.poll(() => levels.locator('th[scope="row"]').allTextContents()).toEqual(['Deployments (successful)', 'Lead time, median', 'Change fail rate', 'Recovery time, median', 'Rework rate']);
    expect(await page.locator('.charts canvas').count()).toBe(5);
  });
});
