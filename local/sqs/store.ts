import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { QueueConfig, StoredMessage } from './types.js';

/** What one queue's file holds. */
export interface QueueSnapshot {
  config: QueueConfig;
  createdTimestamp: number;
  sequence: number;
  messages: StoredMessage[];
}

/**
 * A directory with one JSON file per queue, so queue contents survive a restart of the local stack.
 * Writes go through a temp file and a rename, so a crash mid-write leaves the previous snapshot.
 */
export class QueueFileStore {
  constructor(private readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  /** Every snapshot in the directory; unreadable files are skipped. */
  loadAll(): QueueSnapshot[] {
    const out: QueueSnapshot[] = [];
    for (const file of readdirSync(this.dir).filter((f) => f.endsWith('.json'))) {
      try {
        out.push(JSON.parse(readFileSync(join(this.dir, file), 'utf8')) as QueueSnapshot);
      } catch {
        // a torn or foreign file: the queue starts empty rather than failing the whole stack
      }
    }
    return out;
  }

  /** Writes one queue's snapshot. */
  save(snapshot: QueueSnapshot) {
    const file = join(this.dir, `${encodeURIComponent(snapshot.config.name)}.json`);
    writeFileSync(`${file}.tmp`, JSON.stringify(snapshot));
    renameSync(`${file}.tmp`, file);
  }
}
