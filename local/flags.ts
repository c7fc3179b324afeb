import { existsSync, mkdirSync, readFileSync, renameSync, watch, writeFileSync, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import { InvalidFlagsError } from '../core/flags/model.js';
import { loadFlags, type LoadedFlags } from '../core/flags/service.js';
import type { FlagSource } from '../functions/flags/http.js';

export class FlagsUnavailableError extends Error {
  override name = 'FlagsUnavailableError';
}

export interface ReloadOutcome {
  ok: boolean;
  version?: string;
  error?: string;
}

/**
 * The local stand-in for AppConfig: a flags file (seed or flagd format) in the data dir, watched for
 * changes. An invalid edit is rejected with its error and the last good flags keep serving; `publish`
 * validates first, then replaces the file atomically (write + rename).
 */
export class FileFlagSource implements FlagSource {
  private good: LoadedFlags | undefined;
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  lastError: string | undefined;

  constructor(
    readonly file: string,
    private readonly opts: { log?: (line: string) => void; initial?: unknown } = {},
  ) {}

  /** Loads the file (writing `initial` first if there is none) and starts watching it. */
  start(): ReloadOutcome {
    if (!existsSync(this.file) && this.opts.initial !== undefined) this.writeAtomically(this.opts.initial);
    const outcome = this.reload();
    const dir = dirname(this.file);
    const name = basename(this.file);
    // Watch the directory: editors and `publish` replace the file by rename, which a file watch would lose.
    this.watcher = watch(dir, (_event, changed) => {
      if (changed !== null && changed !== name) return;
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.reload(), 50);
    });
    return outcome;
  }

  stop(): void {
    clearTimeout(this.timer);
    this.watcher?.close();
  }

  reload(): ReloadOutcome {
    let doc: unknown;
    try {
      doc = JSON.parse(readFileSync(this.file, 'utf8'));
    } catch (e) {
      return this.reject(`cannot read ${this.file}: ${(e as Error).message}`);
    }
    try {
      const loaded = loadFlags(doc);
      if (loaded.version === this.good?.version) return { ok: true, version: loaded.version };
      this.good = loaded;
      this.lastError = undefined;
      this.opts.log?.(`[flags] loaded ${loaded.set.flags.size} ${loaded.set.format} flag(s) from ${this.file} (version ${loaded.version})`);
      return { ok: true, version: loaded.version };
    } catch (e) {
      return this.reject(e instanceof InvalidFlagsError ? e.message : `${(e as Error).name}: ${(e as Error).message}`);
    }
  }

  private reject(error: string): ReloadOutcome {
    this.lastError = error;
    this.opts.log?.(`[flags] rejected an edit of ${this.file}; still serving version ${this.good?.version ?? '(none)'}:\n${error}`);
    return { ok: false, error };
  }

  /** Validates a document, then replaces the flags file atomically; nothing is written if it is invalid. */
  publish(doc: unknown): LoadedFlags {
    const loaded = loadFlags(doc); // throws InvalidFlagsError with paths
    this.writeAtomically(doc);
    this.good = loaded;
    this.lastError = undefined;
    return loaded;
  }

  private writeAtomically(doc: unknown) {
    mkdirSync(dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(doc, null, 2)}\n`);
    renameSync(tmp, this.file);
  }

  async current(): Promise<LoadedFlags> {
    if (!this.good) throw new FlagsUnavailableError(`no valid flags loaded from ${this.file}: ${this.lastError ?? 'not started'}`);
    return this.good;
  }
}
