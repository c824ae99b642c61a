// The Services tree as a user reads it in the workbench: a service's row, its description, the
// hover over it, and the host's own probe a row's tooltip reports.
import assert from 'node:assert/strict';
import type { Locator } from 'playwright-core';
import type { DiscoveryRecord } from '../../../protocol/discovery';
import type { ProbeSample, StackSnapshot } from '../../../protocol/model';
import { formatClock } from '../../../protocol/timeFormat';
import type { Workbench } from './browser';
import { hostGet, until } from './hostRecord';

export function serviceRow(workbench: Workbench, service: string) {
  return workbench.view('Services').locator('.monaco-list-row', { has: workbench.page.locator('.label-name', { hasText: new RegExp(`^${service}$`) }) }).first();
}

/** The description of a service's row in the Services tree, e.g. "server.shop.localhost:14730 · 3001 · moved · healthy". */
export async function treeRow(workbench: Workbench, service: string): Promise<string> {
  return (await serviceRow(workbench, service).locator('.label-description').innerText({ timeout: 2000 })).trim();
}

const HOVERS = '.monaco-hover:visible, .workbench-hover-container:visible';

/** The text of the hover that is showing and matches (the activity bar may show its own). */
export async function visibleHover(workbench: Workbench, match: RegExp, target: Locator): Promise<string> {
  let seen: string[] = [];
  let attempts = 0;
  const text = await until(`a hover matching ${match}`, async () => {
    // Hovers need the pointer to arrive and rest; a missed one is retried by leaving and coming back.
    if (attempts++ % 8 === 0) {
      await workbench.page.mouse.move(700, 400);
      await target.hover();
    }
    seen = await workbench.page.locator(HOVERS).allInnerTexts();
    return seen.find((t) => match.test(t));
  }, 15_000).catch((error: Error) => {
    throw new Error(`${error.message}; hovers showing: ${JSON.stringify(seen)}`);
  });
  // Let it finish fading in, so a screenshot shows it as a user reads it.
  // (No named function inside: the test's transpiler would wrap it in a helper the page lacks.)
  await until('the hover to finish fading in', () => workbench.page.locator(HOVERS).evaluateAll((hovers, [source, flags]) => {
    let shown = 0;
    for (const hover of hovers) {
      if (!new RegExp(source!, flags).test((hover as HTMLElement).innerText)) continue;
      shown++;
      for (let e: Element | null = hover; e; e = e.parentElement) if (getComputedStyle(e).opacity !== '1') return false;
    }
    return shown > 0;
  }, [match.source, match.flags]), 5000).catch(() => undefined);
  return text;
}

export async function serviceNow(host: DiscoveryRecord, service: string) {
  const { data } = await hostGet<{ data: StackSnapshot }>(host, '/api/snapshot');
  return data.services.find((s) => s.name === service)!;
}

/**
 * Hovers a service's row and finds, among the host's probes of it, the one its tooltip reports
 * ("last probe 2 ms at 10:41:07"), with how long before the hover began that probe ran.
 */
export async function tooltipProbe(workbench: Workbench, host: DiscoveryRecord, service: string): Promise<{ sample: ProbeSample; ageMs: number; shownAt: number; text: string }> {
  const hoverBegan = Date.now();
  // Named: the hover of the row hovered before may still be fading out.
  const text = await visibleHover(workbench, new RegExp(`^${service} ·[^]*last probe [\\d.]+ ms at `), serviceRow(workbench, service).locator('.label-name'));
  const shownAt = Date.now();
  const [, latency, time] = /last probe ([\d.]+) ms at (.+)/.exec(text)!;
  // The tooltip's clock is Manito's one time format (protocol/timeFormat), in the extension host's
  // time zone, which is this process's: the same machine and environment.
  const sample = (await serviceNow(host, service)).history
    .find((s) => s.latencyMs === Number(latency) && formatClock(s.at) === time!.trim());
  assert.ok(sample, `the tooltip's probe (${latency} ms at ${time}) is one the host ran; tooltip: ${text}`);
  return { sample, ageMs: hoverBegan - Date.parse(sample.at), shownAt, text };
}
