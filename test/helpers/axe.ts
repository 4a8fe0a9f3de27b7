// axe-core inside a Playwright page: the serious and critical accessibility violations.
import axe from 'axe-core';
import type { Page } from 'playwright-core';

interface AxeFinding {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

/** axe-core on the page as it is now: the serious and critical violations. */
export async function axeViolations(p: Page): Promise<AxeFinding[]> {
  const injected = await p.evaluate(() => typeof (window as unknown as { axe?: unknown }).axe !== 'undefined');
  if (!injected) await p.addScriptTag({ content: axe.source });
  const found = await p.evaluate(async () => {
    const a = (window as unknown as { axe: typeof axe }).axe;
    const r = await a.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact ?? null, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.html) }));
  });
  return found.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}
