// scripts/jaeger-ui/build.sh refuses any archive that is not the source of Jaeger UI v1.74.0 (by the
// commit id git embeds in its archives), and says so with exit code 3, which infra.sh turns into
// "Jaeger runs without its UI" instead of a failed start. No network: only local archives.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
const script = join(root, 'scripts', 'jaeger-ui', 'build.sh');

function build(source: string): { status: number | null; stderr: string; out: string } {
  const out = mkdtempSync(join(tmpdir(), 'jaeger-ui-build-'));
  const res = spawnSync('bash', [script, join(out, 'ui'), join(out, 'build.log')], {
    env: { ...process.env, JAEGER_UI_SOURCE: source },
    encoding: 'utf8',
  });
  return { status: res.status, stderr: res.stderr, out };
}

describe('scripts/jaeger-ui/build.sh', () => {
  it('a JAEGER_UI_SOURCE that does not exist: exit 3, naming the path', () => {
    const res = build('/nonexistent/jaeger-ui-v1.74.0.tar.gz');
    rmSync(res.out, { recursive: true, force: true });
    assert.equal(res.status, 3);
    assert.match(res.stderr, /JAEGER_UI_SOURCE=\/nonexistent\/jaeger-ui-v1\.74\.0\.tar\.gz: no such file/);
  });

  it('the archive of another commit: exit 3, naming both commit ids, nothing built', () => {
    const tmp = mkdtempSync(join(tmpdir(), 'jaeger-ui-src-'));
    const archive = join(tmp, 'other.tar.gz');
    execFileSync('bash', ['-c', 'git -C "$0" archive --format=tar.gz --prefix=jaeger-ui-1.74.0/ HEAD scripts/jaeger-ui >"$1"', root, archive]);
    const head = execFileSync('git', ['-C', root, 'rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
    const res = build(archive);
    try {
      assert.equal(res.status, 3, res.stderr);
      assert.match(res.stderr, new RegExp(`commit id is '${head}', expected 4606e0e7aba353224c0a7d1d2588366da3993f24`));
      assert.equal(existsSync(join(res.out, 'ui', 'build')), false);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
      rmSync(res.out, { recursive: true, force: true });
    }
  });

  it('an archive without a commit id (not made by git): exit 3', () => {
    const tmp = mkdtempSync(join(tmpdir(), 'jaeger-ui-src-'));
    writeFileSync(join(tmp, 'README.md'), 'not jaeger-ui\n');
    const archive = join(tmp, 'plain.tar.gz');
    execFileSync('tar', ['-czf', archive, '-C', tmp, 'README.md']);
    const res = build(archive);
    try {
      assert.equal(res.status, 3, res.stderr);
      assert.match(res.stderr, /commit id is 'none'/);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
      rmSync(res.out, { recursive: true, force: true });
    }
  });
});
