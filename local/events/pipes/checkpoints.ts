import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { CheckpointStore } from './types.js';

/** The checkpoint of a closed shard that has been read to its end, so a restart skips it. */
export const SHARD_END = 'SHARD_END';

/** Checkpoints that live as long as the process: for tests and throwaway runs. */
export class InMemoryCheckpointStore implements CheckpointStore {
  private readonly positions = new Map<string, string>();

  /** The last fully processed sequence number of the shard, or SHARD_END. */
  async get(shardId: string): Promise<string | undefined> {
    return this.positions.get(shardId);
  }

  /** Records that everything up to and including `sequenceNumber` is done. */
  async put(shardId: string, sequenceNumber: string): Promise<void> {
    this.positions.set(shardId, sequenceNumber);
  }
}

/**
 * Checkpoints kept in one JSON file (`{ shardId: sequenceNumber }`), so `npm start` resumes after the last
 * fully processed record. Writes go to a temp file and are renamed into place, so a crash mid-write never
 * leaves a torn file.
 */
export class FileCheckpointStore implements CheckpointStore {
  private positions: Map<string, string> | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(private readonly path: string) {}

  /** The last fully processed sequence number of the shard, or SHARD_END. */
  async get(shardId: string): Promise<string | undefined> {
    return (await this.load()).get(shardId);
  }

  /** Records that everything up to and including `sequenceNumber` is done, and persists it. */
  async put(shardId: string, sequenceNumber: string): Promise<void> {
    const positions = await this.load();
    positions.set(shardId, sequenceNumber);
    const snapshot = JSON.stringify(Object.fromEntries(positions), null, 2);
    // Chain writes so two quick puts never race on the temp file.
    this.writing = this.writing.then(async () => {
      await mkdir(dirname(this.path), { recursive: true });
      const temp = `${this.path}.${process.pid}.tmp`;
      await writeFile(temp, snapshot);
      await rename(temp, this.path);
    });
    await this.writing;
  }

  private async load(): Promise<Map<string, string>> {
    if (this.positions) return this.positions;
    try {
      const parsed = JSON.parse(await readFile(this.path, 'utf8')) as Record<string, string>;
      this.positions = new Map(Object.entries(parsed));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      this.positions = new Map();
    }
    return this.positions;
  }
}
