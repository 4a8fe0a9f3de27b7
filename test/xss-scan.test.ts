// Views escape their data: @kitajs/html's XSS scanner finds no unescaped value in any view
// or page module (content needs the `safe` attribute unless it is already-rendered JSX).
import { expect, test } from 'bun:test';
import { Glob } from 'bun';

test('xss-scan finds nothing in views and pages', async () => {
  const files = [...new Glob('{views,src}/**/*.tsx').scanSync('.')].sort();
  expect(files.length).toBeGreaterThan(3);
  const proc = Bun.spawn(['node_modules/.bin/xss-scan', '--simplified', ...files], { stdout: 'pipe', stderr: 'pipe' });
  const out = (await new Response(proc.stdout).text()) + (await new Response(proc.stderr).text());
  const code = await proc.exited;
  if (code !== 0) console.log(out);
  expect(code).toBe(0);
}, 60_000);
