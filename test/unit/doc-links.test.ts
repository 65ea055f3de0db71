// Every relative link in the README and docs/ reaches a file that exists and, with a #fragment,
// a heading of that file: pages are renamed and restructured by several hands, and a link that
// silently lands nowhere is what a newcomer following the README meets first.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');

const PAGES = [
  'README.md',
  'client/README.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/${name}`),
];

/** Markdown outside fenced code blocks: links and headings in code are examples, not links. */
function prose(markdown: string): string[] {
  let fenced = false;
  return markdown.split('\n').filter((line) => {
    if (line.startsWith('```')) {
      fenced = !fenced;
      return false;
    }
    return !fenced;
  });
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens, repeats -1, -2. */
function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const line of prose(markdown)) {
    const heading = /^#{1,6}\s+(.*)$/.exec(line);
    if (!heading) continue;
    const text = (heading[1] ?? '').replace(/\[([^\]]*)\]\([^)]*\)/g, '$1').replaceAll('`', '');
    const slug = text
      .trim()
      .toLowerCase()
      .replace(/[^\p{L}\p{N}_\- ]/gu, '')
      .replaceAll(' ', '-');
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return anchors;
}

function brokenLinks(page: string): string[] {
  const path = join(ROOT, page);
  const broken: string[] = [];
  for (const line of prose(readFileSync(path, 'utf8'))) {
    for (const match of line.matchAll(/\]\(([^)\s]+)\)/g)) {
      const link = match[1] ?? '';
      if (/^[a-z]+:/i.test(link)) continue; // https:, mailto:: not ours to check offline
      const [target, fragment] = link.split('#', 2);
      const targetPath = target ? normalize(join(dirname(path), target)) : path;
      if (!existsSync(targetPath)) {
        broken.push(`${link} (no file ${relative(ROOT, targetPath)})`);
      } else if (fragment !== undefined) {
        const isPage = statSync(targetPath).isFile() && targetPath.endsWith('.md');
        if (!isPage || !headingAnchors(readFileSync(targetPath, 'utf8')).has(fragment)) {
          broken.push(`${link} (no heading #${fragment})`);
        }
      }
    }
  }
  return broken;
}

describe('documentation links', () => {
  it.each(PAGES)('every relative link in %s reaches a file and heading', (page) => {
    expect(brokenLinks(page)).toEqual([]);
  });

  it('turns a heading into the anchor GitHub gives it', () => {
    const anchors = headingAnchors(
      '# The operator CLI: `tessera`\n## Pruning, one pass at a time\n## compose.yaml\n## Tests\n## Tests\n```\n# not a heading\n```\n',
    );
    expect([...anchors]).toEqual([
      'the-operator-cli-tessera',
      'pruning-one-pass-at-a-time',
      'composeyaml',
      'tests',
      'tests-1',
    ]);
  });
});
