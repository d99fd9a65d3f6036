// The Markdown the documentation checks read: README.md and docs/*.md (docs/api/ is generated, and
// checked by api-reference.test.ts), their fenced code blocks with the marker comment before each,
// and their headings as GitHub turns them into anchors.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export const root = join(__dirname, '..', '..', '..');

/** README.md and every docs/*.md, as absolute paths. */
export function documentationFiles(): string[] {
  const docs = join(root, 'docs');
  return [join(root, 'README.md'), ...readdirSync(docs).filter((f) => f.endsWith('.md')).sort().map((f) => join(docs, f))];
}

export interface CodeBlock {
  /** The fence's language, e.g. `ts`. */
  lang: string;
  /** The code between the fences. */
  code: string;
  /** 1-based line of the first code line in the Markdown file. */
  line: number;
  /** The HTML comment on the line just before the opening fence, if any (its inner text, trimmed). */
  marker: string | undefined;
}

/** Fenced code blocks (``` only) of a Markdown text, in order. */
export function codeBlocks(markdown: string): CodeBlock[] {
  const lines = markdown.split('\n');
  const blocks: CodeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\S*)/.exec(lines[i] ?? '');
    if (!open) continue;
    const start = i + 1;
    let end = start;
    while (end < lines.length && !/^```\s*$/.test(lines[end] ?? '')) end++;
    const before = /^<!--\s*(.*?)\s*-->$/.exec(lines[i - 1] ?? '');
    blocks.push({ lang: open[1] ?? '', code: lines.slice(start, end).join('\n'), line: start + 1, marker: before?.[1] });
    i = end;
  }
  return blocks;
}

/** Markdown with fenced code blocks blanked out (headings and links inside code are not real). */
export function withoutCode(markdown: string): string {
  let inside = false;
  return markdown
    .split('\n')
    .map((line) => {
      if (/^```/.test(line)) {
        inside = !inside;
        return '';
      }
      return inside ? '' : line;
    })
    .join('\n');
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens; repeats get -1, -2. */
export function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const [, text] of withoutCode(markdown).matchAll(/^#{1,6}\s+(.+?)\s*#*$/gm)) {
    const base = (text ?? '')
      .replace(/<[^>]+>/g, '')
      .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

/** Links and images of a Markdown text outside code: `[text](target)`, with their 1-based line. */
export function links(markdown: string): { target: string; line: number }[] {
  const out: { target: string; line: number }[] = [];
  withoutCode(markdown)
    .split('\n')
    .forEach((text, i) => {
      for (const [, target] of text.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) out.push({ target: target ?? '', line: i + 1 });
    });
  return out;
}

export const read = (file: string): string => readFileSync(file, 'utf8');
