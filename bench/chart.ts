// Draws bench/results/e2e-<date>.svg from an e2e result: throughput and p99 latency of the three
// variants, side by side. Run: node --import tsx bench/chart.ts [bench/results/e2e-<date>.json]
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = join(__dirname, 'results');
const file = process.argv[2] ?? join(dir, readdirSync(dir).filter((f) => /^e2e-\d{4}-\d{2}-\d{2}(T\d{6})?\.json$/.test(f)).sort().pop() ?? '');
const result = JSON.parse(readFileSync(file, 'utf8')) as { date: string; command: string; table: Record<string, Record<string, number>> };
const variants = Object.keys(result.table);
const colors: Record<string, string> = { plain: '#8c8c8c', ours: '#2b6cb0', jaeger: '#2b6cb0', 'jaeger-sink': '#2b6cb0', official: '#dd8452', anchor: '#dd8452', 'anchor-sink': '#dd8452' };
const panels = [
  { title: 'throughput (msg/s, higher is better)', key: 'msg/s' },
  { title: 'p99 produce→consume (ms, lower is better)', key: 'p99 ms' },
];
const W = 360;
const H = 220;
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
let body = '';
panels.forEach((panel, p) => {
  const x0 = 20 + p * (W + 30);
  const max = Math.max(...variants.map((v) => result.table[v]?.[panel.key] ?? 0)) * 1.15;
  body += `<text x="${x0}" y="30" font-size="13" font-weight="bold">${esc(panel.title)}</text>`;
  variants.forEach((v, i) => {
    const value = result.table[v]?.[panel.key] ?? 0;
    const h = (value / max) * (H - 60);
    const x = x0 + 30 + i * 105;
    const y = 40 + (H - 60) - h;
    body += `<rect x="${x}" y="${y.toFixed(1)}" width="70" height="${h.toFixed(1)}" fill="${colors[v] ?? '#555'}"/>`;
    body += `<text x="${x + 35}" y="${(y - 5).toFixed(1)}" font-size="12" text-anchor="middle">${value.toLocaleString('en-US')}</text>`;
    body += `<text x="${x + 35}" y="${H - 2}" font-size="12" text-anchor="middle">${esc(v === 'official' ? 'anchor' : v)}</text>`;
  });
});
const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${2 * W + 60}" height="${H + 40}" font-family="sans-serif">
<rect width="100%" height="100%" fill="white"/>${body}
<text x="20" y="${H + 30}" font-size="11" fill="#555">${esc(`${result.command} — ${result.date.slice(0, 10)}; anchor = @opentelemetry/instrumentation-kafkajs`)}</text>
</svg>
`;
const out = file.replace(/\.json$/, '.svg');
writeFileSync(out, svg);
console.log(`written to ${out}`);
