import { closeSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

type Line<T> = { readonly put: string; readonly value: T } | { readonly done: string };

/** Options of {@link Journal}. */
export interface JournalOptions {
  /** Rewrites the file with only the open entries once this many entries were closed. @default 1000 */
  readonly compactAfter?: number;
}

/**
 * An append-only journal of open work items (accepted events, queued invocations), one JSON line per
 * change: `{"put":id,"value":…}` opens or updates an item, `{"done":id}` closes it. Each append is one
 * write(2) to the file, so an item is in the kernel's page cache, and survives a SIGKILL of this
 * process, before the caller acknowledges it; there is no fsync per item (a power cut can lose the
 * last writes). Loading replays the lines and ignores a torn last line. Closed items are dropped by
 * compaction, which writes the open items to a new file and renames it over the old one.
 */
export class Journal<T> {
  private readonly open = new Map<string, T>();
  private fd: number;
  private closed = 0;
  private corked: string[] | undefined;
  private closings: string[] = [];
  private flushScheduled = false;
  private readonly compactAfter: number;

  constructor(
    private readonly path: string,
    options: JournalOptions = {},
  ) {
    this.compactAfter = options.compactAfter ?? 1000;
    mkdirSync(dirname(path), { recursive: true });
    this.load();
    this.fd = this.rewrite();
  }

  /** The items that were opened and not closed, oldest first. */
  entries(): [string, T][] {
    return [...this.open.entries()];
  }

  /** Opens (or replaces) an item. */
  put(id: string, value: T): void {
    this.open.set(id, value);
    this.append({ put: id, value });
  }

  /**
   * Closes an item; closing an unknown item is a no-op. Closings are written together on the next
   * turn of the event loop: losing one to a crash only repeats the item (at least once), never loses it.
   */
  done(id: string): void {
    if (!this.open.delete(id)) return;
    this.closings.push(`${JSON.stringify({ done: id })}\n`);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => this.flushClosings());
  }

  private flushClosings(): void {
    this.flushScheduled = false;
    const lines = this.closings;
    if (lines.length === 0) return;
    this.closings = [];
    this.write(lines.join(''));
    this.closed += lines.length;
    if (this.closed >= this.compactAfter) this.compact();
  }

  /** Runs `fn` and writes every line it appended in one write, so a batch costs one system call. */
  batch<R>(fn: () => R): R {
    if (this.corked !== undefined) return fn();
    this.corked = [];
    try {
      return fn();
    } finally {
      const lines = this.corked;
      this.corked = undefined;
      if (lines.length > 0) this.write(lines.join(''));
    }
  }

  /** Writes pending closings and closes the file; the journal is unusable afterwards. */
  close(): void {
    this.flushClosings();
    closeSync(this.fd);
  }

  private append(line: Line<T>): void {
    const text = `${JSON.stringify(line)}\n`;
    if (this.corked !== undefined) this.corked.push(text);
    else this.write(text);
  }

  private write(text: string): void {
    writeSync(this.fd, text);
  }

  private load(): void {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    for (const raw of text.split('\n')) {
      if (raw === '') continue;
      let line: Line<T>;
      try {
        line = JSON.parse(raw) as Line<T>;
      } catch {
        continue; // a write torn by the crash we are recovering from
      }
      if ('put' in line) this.open.set(line.put, line.value);
      else if ('done' in line) this.open.delete(line.done);
    }
  }

  /** Writes the open items to a fresh file, swaps it in and returns a descriptor for appending. */
  private rewrite(): number {
    const tmp = `${this.path}.tmp`;
    const fd = openSync(tmp, 'w', 0o600);
    const lines = [...this.open].map(([id, value]) => `${JSON.stringify({ put: id, value })}\n`);
    if (lines.length > 0) writeSync(fd, lines.join(''));
    closeSync(fd);
    renameSync(tmp, this.path);
    this.closed = 0;
    return openSync(this.path, 'a');
  }

  private compact(): void {
    closeSync(this.fd);
    this.fd = this.rewrite();
  }
}
