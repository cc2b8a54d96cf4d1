/**
 * What the Temporal UI (v2.42, the dev server's) shows for one workflow execution, read the way a
 * person reads it: the status badge, the event-history timeline (one row per activity,
 * "<activity> • <summary>"), the Result panel, and the User Metadata tab — the static summary and
 * details, "Events with Metadata" (each activity summary with its status) and "Current Details".
 *
 * The three markdown fields are rendered inside iframes (`/render?content=…`); Current Details comes
 * from a query (`__temporal_workflow_metadata`) the UI sends, so it shows only while a worker polls
 * the workflow's task queue.
 */
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { FrameLocator, Locator, Page } from 'playwright-core';
import { join } from 'node:path';

// Generous: the UI shares two cores with the rest of the suite; nothing here asserts speed.
const UI_TIMEOUT_MS = 45_000;
const FAILURE_SHOTS = join(__dirname, '..', '..', 'test-artifacts', 'ui');

export type ExecutionTab = 'history' | 'user-metadata';

/** `<ui>/namespaces/<ns>/workflows/<id>/<runId>/<tab>`, from the history link `run` prints. */
export function executionUrl(historyUrl: string, tab: ExecutionTab): string {
  return historyUrl.replace(/\/history$/, `/${tab}`);
}

/**
 * Opens an execution's tab. The dev server's UI (2.42) sometimes answers its very first page load with
 * "500 Internal Error" while it warms up — the page itself says to try a refresh, so we do, a few times.
 */
export async function openExecution(page: Page, historyUrl: string, tab: ExecutionTab): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    await page.goto(executionUrl(historyUrl, tab), { waitUntil: 'networkidle', timeout: UI_TIMEOUT_MS });
    const warmingUp = await page.getByText('Internal Error', { exact: true }).isVisible();
    if (!warmingUp) return;
    if (attempt === 3)
      throw new Error(`the Temporal UI answered 500 Internal Error ${attempt} times for ${page.url()}`);
    await page.waitForTimeout(1000);
  }
}

/** Waits until the locator is visible; the error names what was looked for. */
export async function expectVisible(locator: Locator, what: string): Promise<void> {
  try {
    await locator.waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
  } catch {
    const shot = join(FAILURE_SHOTS, `missing-${Date.now()}.png`);
    await locator
      .page()
      .screenshot({ path: shot, fullPage: true })
      .catch(() => undefined);
    throw new Error(
      `the Temporal UI does not show ${what} (looked for ${locator.toString()} for ${UI_TIMEOUT_MS} ms; page as it was: ${shot})`,
    );
  }
}

/** The status badge in the execution's header, next to its id (Completed, Failed, Running…). */
export function statusBadge(page: Page, status: string): Locator {
  return page.locator('header').getByText(status, { exact: true }).first();
}

/** A timeline row label: `<activity type> • <summary>`, as the history page draws it (SVG text). */
export function timelineRow(page: Page, activityType: string, summary: string): Locator {
  return page.locator('svg text').filter({ hasText: `${activityType} • ${summary}` });
}

function sectionBody(page: Page, heading: string): Locator {
  return page.locator(
    `xpath=//h3[normalize-space()="${heading}"]/ancestor::div[contains(concat(" ", normalize-space(@class), " "), " surface-information ")][1]/following-sibling::*[1]`,
  );
}

/** The iframe a User Metadata section (Summary, Details, Current Details) renders its markdown in. */
export function markdownFrame(
  page: Page,
  heading: 'Summary' | 'Details' | 'Current Details',
): { iframe: Locator; frame: FrameLocator } {
  const iframe = sectionBody(page, heading).locator('iframe').first();
  return { iframe, frame: iframe.contentFrame() };
}

/** The text a markdown section shows: its rendered lines, trimmed, blank lines dropped. */
export async function markdownText(page: Page, heading: 'Summary' | 'Details' | 'Current Details'): Promise<string[]> {
  const { iframe, frame } = markdownFrame(page, heading);
  await expectVisible(iframe, `the ${heading} section`);
  const body = frame.locator('body');
  await expectVisible(body.locator(':scope > *').first(), `content in the ${heading} section`);
  return lines(await body.innerText());
}

export interface MetadataEvent {
  kind: string;
  summary: string;
  status: string;
}

/** "Events with Metadata": one entry per event that carries a summary, in history order. */
export async function eventsWithMetadata(page: Page): Promise<MetadataEvent[]> {
  const rows = sectionBody(page, 'Events with Metadata').locator('xpath=.//div[contains(@class, "flex-col")]/div');
  await expectVisible(rows.first(), 'any row under Events with Metadata');
  const events: MetadataEvent[] = [];
  for (const text of await rows.allInnerTexts()) {
    const [kind, summary, status] = lines(text);
    events.push({ kind, summary, status });
  }
  return events;
}

/** Markdown as the UI renders it, reduced to text lines: no list markers, emphasis or code ticks. */
export function markdownLines(markdown: string): string[] {
  return lines(
    markdown
      .replace(/^\s*[-*] /gm, '')
      .replace(/\*\*|`/g, '')
      .replace(/(^|\s)[_*](\S(?:[^_*\n]*\S)?)[_*](?=\s|$)/gm, '$1$2'),
  );
}

/**
 * Lines of a markdown section that the UI cuts off. UI 2.42 sizes each markdown iframe once, on load,
 * to its body's scrollHeight + 2 px, which leaves out the body's margins (~30 px): the last line of a
 * list can end below the iframe's bottom edge.
 */
export async function clippedListItems(
  page: Page,
  heading: 'Summary' | 'Details' | 'Current Details',
): Promise<string[]> {
  const { iframe, frame } = markdownFrame(page, heading);
  const box = await iframe.boundingBox();
  if (!box) throw new Error(`the ${heading} iframe has no layout box`);
  const clipped: string[] = [];
  for (const item of await frame.locator('li').all()) {
    const itemBox = await item.boundingBox();
    if (itemBox && itemBox.y + itemBox.height > box.y + box.height + 0.5) clipped.push((await item.innerText()).trim());
  }
  return clipped;
}

export function lines(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.replace(/\s+/g, ' ').trim())
    .filter((line) => line.length > 0);
}

/** A PNG of the whole page (the UI scrolls inside its main pane, so the viewport is the page). */
export async function screenshot(page: Page, path: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await page.screenshot({ path, fullPage: true });
}
