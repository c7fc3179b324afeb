import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * Summarises a V8 `.cpuprofile` (node --cpu-prof): self time per function, self time per area (our files,
 * each npm package, node internals, V8 builtins, GC, idle) and inclusive time of our own files and
 * functions. Percentages are of all samples, and of the busy (non-idle) ones.
 */

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface Share {
  name: string;
  where: string;
  samples: number;
  pctAll: number;
  pctBusy: number;
}

export interface ProfileSummary {
  file: string;
  durationS: number;
  samples: number;
  idlePct: number;
  topSelf: Share[];
  byArea: Share[];
  oursInclusiveFiles: Share[];
  oursInclusiveFunctions: Share[];
}

const SPECIAL = new Set(['(idle)', '(program)', '(garbage collector)', '(root)']);

export function summarizeCpuProfile(file: string, repoRoot: string, top = 15): ProfileSummary {
  const p = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const n of p.nodes) byId.set(n.id, n);
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const root = repoRoot.endsWith('/') ? repoRoot : `${repoRoot}/`;

  const pathOf = (url: string): string => {
    if (!url.startsWith('file://')) return url;
    try {
      return fileURLToPath(url);
    } catch {
      return url;
    }
  };
  /** Area of a frame: "ours: <file>", "npm: <package>", the node:… module, "V8 builtins / native", or the special name. */
  const areaOf = (cf: CallFrame): string => {
    if (SPECIAL.has(cf.functionName) && !cf.url) return cf.functionName;
    if (!cf.url) return 'V8 builtins / native';
    if (cf.url.startsWith('node:')) return cf.url; // e.g. node:_http_server, node:internal/async_hooks
    const path = pathOf(cf.url);
    const nm = path.lastIndexOf('/node_modules/');
    if (nm >= 0) {
      const rest = path.slice(nm + '/node_modules/'.length).split('/');
      return `npm: ${rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]}`;
    }
    if (path.startsWith(root)) return `ours: ${path.slice(root.length)}`;
    return path;
  };
  const whereOf = (cf: CallFrame): string => {
    if (!cf.url) return '';
    const path = pathOf(cf.url);
    const nm = path.lastIndexOf('/node_modules/');
    const short = nm >= 0 ? path.slice(nm + '/node_modules/'.length) : path.startsWith(root) ? path.slice(root.length) : path;
    // tsx serves our TypeScript as one-line modules: line 1 says nothing there.
    return cf.lineNumber > 0 ? `${short}:${cf.lineNumber + 1}` : short;
  };
  const nameOf = (cf: CallFrame) => cf.functionName || '(anonymous)';

  // Self samples per node.
  const selfCount = new Map<number, number>();
  for (const id of p.samples) selfCount.set(id, (selfCount.get(id) ?? 0) + 1);
  const total = p.samples.length;
  let idle = 0;
  for (const [id, count] of selfCount) if (byId.get(id)?.callFrame.functionName === '(idle)') idle += count;
  const busy = total - idle;
  const share = (name: string, where: string, samples: number): Share => ({ name, where, samples, pctAll: (100 * samples) / total, pctBusy: busy ? (100 * samples) / busy : 0 });

  const selfByFn = new Map<string, { cf: CallFrame; samples: number }>();
  const selfByArea = new Map<string, number>();
  for (const [id, count] of selfCount) {
    const cf = byId.get(id)!.callFrame;
    const k = `${nameOf(cf)}\u0000${cf.url}\u0000${cf.lineNumber}`;
    const e = selfByFn.get(k) ?? { cf, samples: 0 };
    e.samples += count;
    selfByFn.set(k, e);
    const a = areaOf(cf);
    selfByArea.set(a, (selfByArea.get(a) ?? 0) + count);
  }

  // Inclusive samples of our files and functions (each counted once per sample, whatever the recursion).
  const inclFile = new Map<string, number>();
  const inclFn = new Map<string, { cf: CallFrame; samples: number }>();
  const stackCache = new Map<number, { files: string[]; fns: string[] }>();
  const oursOnStack = (id: number) => {
    const cached = stackCache.get(id);
    if (cached) return cached;
    const files = new Set<string>();
    const fns = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const cf = byId.get(cur)!.callFrame;
      const a = areaOf(cf);
      if (!a.startsWith('ours: ')) continue;
      files.add(a.slice('ours: '.length));
      const k = `${nameOf(cf)}\u0000${cf.url}\u0000${cf.lineNumber}`;
      if (!fns.has(k)) {
        fns.add(k);
        if (!inclFn.has(k)) inclFn.set(k, { cf, samples: 0 });
      }
    }
    const out = { files: [...files], fns: [...fns] };
    stackCache.set(id, out);
    return out;
  };
  for (const [id, count] of selfCount) {
    const s = oursOnStack(id);
    for (const f of s.files) inclFile.set(f, (inclFile.get(f) ?? 0) + count);
    for (const k of s.fns) inclFn.get(k)!.samples += count;
  }

  return {
    file,
    durationS: (p.endTime - p.startTime) / 1e6,
    samples: total,
    idlePct: (100 * idle) / Math.max(total, 1),
    topSelf: [...selfByFn.values()]
      .filter((e) => nameOf(e.cf) !== '(idle)')
      .sort((a, b) => b.samples - a.samples)
      .slice(0, top)
      .map((e) => share(nameOf(e.cf), whereOf(e.cf) || areaOf(e.cf), e.samples)),
    byArea: [...selfByArea.entries()].sort((a, b) => b[1] - a[1]).map(([a, n]) => share(a, '', n)),
    oursInclusiveFiles: [...inclFile.entries()].sort((a, b) => b[1] - a[1]).map(([f, n]) => share(f, '', n)),
    oursInclusiveFunctions: [...inclFn.values()]
      .sort((a, b) => b.samples - a.samples)
      .slice(0, top)
      .map((e) => share(nameOf(e.cf), whereOf(e.cf), e.samples)),
  };
}
