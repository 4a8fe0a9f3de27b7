// Where a branch's hub is and the token it presents: DATA/hub.json (mode 0600, written by
// `mymedic join`), overridden by MYMEDIC_HUB_URL / MYMEDIC_HUB_TOKEN / MYMEDIC_HUB_CA.
import { chmodSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface HubLink {
  url: string;
  token: string;
  /** PEM file of the certificate authority that signed the hub's certificate (self-signed hubs). */
  ca?: string;
}

export const hubLinkFile = (dataDir: string) => join(dataDir, 'hub.json');

export function loadHubLink(dataDir: string, env: Record<string, string | undefined> = process.env): HubLink | null {
  let fromFile: Partial<HubLink> = {};
  const file = hubLinkFile(dataDir);
  if (existsSync(file)) {
    try {
      fromFile = JSON.parse(readFileSync(file, 'utf8')) as Partial<HubLink>;
    } catch (e) {
      throw new Error(`cannot read ${file}: ${(e as Error).message}`);
    }
  }
  const url = env.MYMEDIC_HUB_URL || fromFile.url;
  const token = env.MYMEDIC_HUB_TOKEN || fromFile.token;
  const ca = env.MYMEDIC_HUB_CA || fromFile.ca;
  if (!url || !token) return null;
  return { url: url.replace(/\/+$/, ''), token, ...(ca ? { ca } : {}) };
}

/** Written to a temporary file and renamed, so a crash never leaves half a file. */
export function saveHubLink(dataDir: string, link: HubLink): void {
  const file = hubLinkFile(dataDir);
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, JSON.stringify(link, null, 2) + '\n', { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
}

export function hasHubLink(dataDir: string): boolean {
  return existsSync(hubLinkFile(dataDir));
}

/** The URL with nothing secret in it, for logs and pages. */
export function describeHub(link: Pick<HubLink, 'url'>): string {
  try {
    const u = new URL(link.url);
    return `${u.protocol}//${u.host}${u.pathname === '/' ? '' : u.pathname}`;
  } catch {
    return '(invalid hub URL)';
  }
}
