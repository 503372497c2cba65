// A .cpuprofile (V8 sampling profile, as `node --cpu-prof` or the inspector writes it) reduced to
// where the time went: self time per function and per package, idle time left out.
import { readFileSync } from 'node:fs';
import path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const ROOT = path.resolve(__dirname, '..', '..');

/** Our TypeScript runs transpiled by tsx: its line numbers are not the source's, so none shown. */
const isOurs = (url: string) => url.includes(ROOT) && !url.includes('node_modules/');

function where(url: string): string {
  if (url === '') return '';
  const file = url.replace(/^file:\/\//, '');
  const modules = file.lastIndexOf('node_modules/');
  if (modules >= 0) return file.slice(modules + 'node_modules/'.length);
  return file.startsWith(ROOT) ? path.relative(ROOT, file) : file;
}

/** Package (or `node:` module, or Hookline folder) a frame belongs to. */
function category(frame: ProfileNode['callFrame']): string {
  const name = frame.functionName;
  if (name.startsWith('(') && frame.url === '') return name; // (program), (garbage collector)
  const w = where(frame.url);
  if (w === '') return 'native / builtins';
  if (frame.url.startsWith('node:'))
    return frame.url.replace(/^node:(internal\/)?/, 'node:').split('/')[0] ?? w;
  if (frame.url.includes('node_modules/')) {
    const parts = w.split('/');
    return (parts[0]?.startsWith('@') === true ? `${parts[0]}/${parts[1] ?? ''}` : parts[0]) ?? w;
  }
  const parts = w.split('/');
  return parts.length > 2 ? `hookline ${parts.slice(0, 3).join('/')}` : `hookline ${w}`;
}

export interface ProfileSummary {
  busyMs: number;
  idleMs: number;
  functions: { name: string; where: string; selfMs: number; share: number }[];
  categories: { name: string; selfMs: number; share: number }[];
}

export function summariseProfile(file: string, top: number): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  /** Native code (writev, JSON.parse, HMAC) counts for the JavaScript that called it. */
  const caller = (id: number): ProfileNode['callFrame'] | undefined => {
    for (let p = parent.get(id); p !== undefined; p = parent.get(p)) {
      const frame = byId.get(p)?.callFrame;
      if (frame !== undefined && frame.url !== '') return frame;
    }
    return undefined;
  };
  const self = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i += 1) {
    const id = profile.samples[i];
    // timeDeltas[i + 1] is the time until the next sample: spent where sample i was taken
    const delta = profile.timeDeltas[i + 1] ?? 0;
    if (id !== undefined) self.set(id, (self.get(id) ?? 0) + delta / 1000);
  }
  let idleMs = 0;
  const fns = new Map<string, { name: string; where: string; selfMs: number }>();
  const cats = new Map<string, number>();
  for (const [id, ms] of self) {
    const frame = byId.get(id)?.callFrame;
    if (frame === undefined) continue;
    if (frame.functionName === '(idle)') {
      idleMs += ms;
      continue;
    }
    const native = frame.url === '' && !frame.functionName.startsWith('(');
    const owner = native ? (caller(id) ?? frame) : frame;
    const loc = where(owner.url);
    const at = loc === '' ? '' : isOurs(owner.url) ? loc : `${loc}:${owner.lineNumber + 1}`;
    const name = frame.functionName === '' ? '(anonymous)' : frame.functionName;
    const key = `${name}@${native ? `native from ${at}` : at}`;
    const entry = fns.get(key) ?? {
      name,
      where: native ? `native, called from ${at}` : at,
      selfMs: 0,
    };
    entry.selfMs += ms;
    fns.set(key, entry);
    const cat = category(owner);
    cats.set(cat, (cats.get(cat) ?? 0) + ms);
  }
  const busyMs = [...cats.values()].reduce((a, b) => a + b, 0);
  const share = (ms: number) => (busyMs === 0 ? 0 : (100 * ms) / busyMs);
  return {
    busyMs,
    idleMs,
    functions: [...fns.values()]
      .sort((a, b) => b.selfMs - a.selfMs)
      .slice(0, top)
      .map((f) => ({ ...f, share: share(f.selfMs) })),
    categories: [...cats.entries()]
      .sort(([, a], [, b]) => b - a)
      .slice(0, top)
      .map(([name, selfMs]) => ({ name, selfMs, share: share(selfMs) })),
  };
}
