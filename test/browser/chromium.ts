// Debian's Chromium driven by playwright-core, and the client package built and bundled for a
// page, as an app's bundler would take it from client/dist.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { type Browser, chromium } from 'playwright-core';
import { ROOT } from '../integration/production-process.ts';

export const CHROMIUM = '/usr/bin/chromium';

/**
 * Headless Chromium. Without it the test fails (it never skips): `.ci/run` installs it, and a
 * developer runs `apt-get install -y chromium` once.
 */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} is missing: the browser tests need Debian's Chromium (apt-get install -y chromium)`,
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-background-networking'],
  });
}

/** Builds @tessera/client (tsc to client/dist) and bundles its entry point for a browser. */
export async function bundleClientForBrowser(): Promise<string> {
  execFileSync(join(ROOT, 'node_modules/.bin/tsc'), ['-p', 'client/tsconfig.json'], { cwd: ROOT });
  const result = await build({
    entryPoints: [join(ROOT, 'client/dist/index.js')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    define: { 'process.env.NODE_ENV': '"production"' },
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0]?.text ?? '';
}
