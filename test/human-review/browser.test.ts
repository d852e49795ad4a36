/**
 * The reviewer app in a real browser (Debian's Chromium, headless), served by the local stack: the
 * real handlers against a local DynamoDB, a stand-in endpoint and a stand-in lake. A reviewer signs
 * in (the Cognito stand-in, through the app's own PKCE code), sees a task, labels it with the
 * keyboard, and the ground truth lands in the lake. A missing browser fails the test; it never skips.
 *
 * `UPDATE_SCREENSHOT=1` writes the picture README shows (docs/reviewer-app.png).
 */
import * as fs from 'fs';
import * as path from 'path';
import puppeteer, { Browser, Page } from 'puppeteer-core';
import { LocalStack, startLocalStack } from '../../scripts/human-review/local-stack';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SCREENSHOT = path.join(__dirname, '..', '..', 'docs', 'reviewer-app.png');
const REVIEWS = [
  { text: 'The fabric is lovely but it runs small; I had to size up and the sleeves are still short.', productCategory: 'Dresses', id: 'browser-1' },
  { text: 'Great jeans, I wear them every week.', productCategory: 'Jeans', id: 'browser-2' },
];

let stack: LocalStack;
let browser: Browser;

beforeAll(async () => {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`No browser at ${CHROMIUM}: install Debian's chromium package (scripts/ensure-deps.sh does as root), or set CHROMIUM_PATH.`);
  }
  // Threshold 1: every prediction goes to a reviewer; no endpoint failures in this test.
  stack = await startLocalStack({ threshold: 1, failEvery: 0 });
  const seeded = await fetch(new URL('predictions', stack.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ reviews: REVIEWS }) });
  expect(seeded.status).toBe(200);
  browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    // As root Chromium needs --no-sandbox; the rest keep it off the (closed) network.
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

async function signIn(page: Page, options: { username: string; reviewer: boolean }) {
  await page.goto(stack.url);
  await page.waitForSelector('#sign-in-button', { visible: true });
  await Promise.all([page.waitForNavigation(), page.click('#sign-in-button')]);
  await page.locator('#username').fill(options.username);
  if (!options.reviewer) await page.click('#reviewers');
  await Promise.all([page.waitForNavigation(), page.click('#local-sign-in')]);
}

const statusText = (page: Page) => page.$eval('#status', (el) => el.textContent ?? '');

test('a reviewer signs in, sees the oldest task, labels it with the keyboard, and its ground truth is in the lake', async () => {
  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  await page.setViewport({ width: 900, height: 640 });
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(String(error)));
  page.on('console', (message) => message.type() === 'error' && problems.push(`${message.text()} ${message.location().url ?? ''}`));

  await signIn(page, { username: 'alex', reviewer: true });
  await page.waitForSelector('#task', { visible: true });
  expect(await page.$eval('#reviewer', (el) => el.textContent)).toBe('Signed in as alex');
  expect(await page.$eval('#task-text', (el) => el.textContent)).toBe(REVIEWS[0].text);
  expect(await page.$eval('#task-category', (el) => el.textContent)).toBe('Dresses');
  expect(await page.$eval('#task-label', (el) => el.textContent)).toMatch(/^(Negative \(-1\)|Neutral \(0\)|Positive \(1\))$/);
  expect(await page.$eval('#task-confidence', (el) => el.textContent)).toMatch(/^\d+\.\d%$/);
  // The page's URL no longer carries the sign-in code.
  expect(new URL(page.url()).search).toBe('');
  const picture = process.env.UPDATE_SCREENSHOT ? SCREENSHOT : path.join(require('os').tmpdir(), 'reviewer-app.png');
  await page.screenshot({ path: picture as `${string}.png` });

  await page.keyboard.press('-');
  await page.waitForFunction(`document.querySelector('#task-text')?.textContent !== ${JSON.stringify(REVIEWS[0].text)}`);
  expect(await statusText(page)).toContain('Saved Negative (-1)');
  // The next task is the second review.
  expect(await page.$eval('#task-text', (el) => el.textContent)).toBe(REVIEWS[1].text);

  const items = new Map((await stack.items()).map((item) => [item.inferenceId, item]));
  expect(items.get('browser-1')).toMatchObject({ status: 'reviewed', humanLabel: -1, reviewer: 'alex' });
  expect(items.get('browser-2')).toMatchObject({ status: 'queued', claimedBy: 'alex' });
  const groundTruth = stack.lakeKeys().filter((key) => key.startsWith('ground-truth/'));
  expect(groundTruth).toEqual([expect.stringMatching(/^ground-truth\/pds-local-bert-sentiment\/\d{4}\/\d{2}\/\d{2}\/\d{2}\/browser-1\.jsonl$/)]);
  const record = JSON.parse(fs.readFileSync(path.join(stack.lakeDir, 'pds-local-lake', groundTruth[0]), 'utf-8'));
  expect(record).toEqual({ groundTruthData: { data: '-1', encoding: 'CSV' }, eventMetadata: { eventId: 'browser-1' }, eventVersion: '0' });
  expect(stack.lakeKeys().filter((key) => key.startsWith('human-review/'))).toHaveLength(1);
  expect(problems).toEqual([]);
  await context.close();
});

test('a signed-in user outside the reviewers group is told so, and gets no task', async () => {
  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  await signIn(page, { username: 'sam', reviewer: false });
  await page.waitForFunction("document.querySelector('#status')?.textContent?.includes('not in the')");
  expect(await statusText(page)).toBe("User 'sam' is not in the 'reviewers' group; an administrator adds reviewers to it.");
  expect(await page.$eval('#task', (el) => (el as unknown as { hidden: boolean }).hidden)).toBe(true);
  await context.close();
});
