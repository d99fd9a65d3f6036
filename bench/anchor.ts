// The anchor the benchmarks compare against, @opentelemetry/instrumentation-kafkajs: 0.33.0 where it
// runs (its engines say Node >= 22.15), else 0.32.0, the newest release that supports Node 20.
//
// 0.33.0 is built on @opentelemetry/api 1.10, which no SDK 2.x release accepts as a peer (they ask
// for < 1.10), so npm cannot install it beside this package's SDK (ERESOLVE). It goes into its own
// folder, .cache/anchor-0.33.0 (git-ignored), with its own API 1.10.0, installed on first use. The
// globals (tracer provider, propagator, context manager) are then registered through that newer API
// copy: the API reads globals registered by a newer minor version, so the SDK, the middleware and the
// anchor all see the same registrations. On Node 20 everything is the project's own API copy.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import * as ownApi from '@opentelemetry/api';

type AnchorModule = typeof import('@opentelemetry/instrumentation-kafkajs');
export type OtelApi = typeof ownApi;

const NEW_ANCHOR = { version: '0.33.0', api: '1.10.0' };
const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
const useNewAnchor = major > 22 || (major === 22 && minor >= 15);

function newAnchorFolder(): string {
  const folder = join(__dirname, '..', '.cache', `anchor-${NEW_ANCHOR.version}`);
  if (existsSync(join(folder, 'node_modules', '@opentelemetry', 'instrumentation-kafkajs'))) return folder;
  mkdirSync(folder, { recursive: true });
  const manifest = {
    private: true,
    dependencies: { '@opentelemetry/instrumentation-kafkajs': NEW_ANCHOR.version, '@opentelemetry/api': NEW_ANCHOR.api },
  };
  writeFileSync(join(folder, 'package.json'), JSON.stringify(manifest, null, 2));
  const npm = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: folder, stdio: 'inherit' });
  if (npm.status !== 0) throw new Error(`could not install @opentelemetry/instrumentation-kafkajs ${NEW_ANCHOR.version} into ${folder}`);
  return folder;
}

export interface Anchor {
  KafkaJsInstrumentation: AnchorModule['KafkaJsInstrumentation'];
  version: string;
  /** The API copy to register globals through (the anchor's when it is the newer one). */
  api: OtelApi;
}

let loaded: Anchor | undefined;

/** Loads the anchor for this Node.js; call it before kafkajs is required when its require hook must see kafkajs load. */
export function loadAnchor(): Anchor {
  if (loaded) return loaded;
  const from = useNewAnchor ? createRequire(join(newAnchorFolder(), 'package.json')) : createRequire(__filename);
  const { KafkaJsInstrumentation } = from('@opentelemetry/instrumentation-kafkajs') as AnchorModule;
  // The package's `exports` hide its package.json: read it beside the resolved entry.
  const entry = from.resolve('@opentelemetry/instrumentation-kafkajs');
  const folder = entry.slice(0, entry.lastIndexOf('instrumentation-kafkajs') + 'instrumentation-kafkajs'.length);
  const { version } = JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8')) as { version: string };
  return (loaded = { KafkaJsInstrumentation, version, api: useNewAnchor ? (from('@opentelemetry/api') as OtelApi) : ownApi });
}
