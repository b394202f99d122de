import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import type { RollbackNotice } from '../../../src-shared/model/updates';
import { RELEASES_PAGE } from './update-errors';

/** What is written just before an installer runs. */
interface MarkerFile {
  from: string;
  to: string;
  writtenAt: string;
  /** Starts of `to` that have not reached a ready window yet. */
  startsWithoutReady: number;
}

/** Where the previous version can be downloaded (its GitHub release). */
export function releaseUrlFor(version: string): string {
  return `${RELEASES_PAGE}/tag/v${version}`;
}

/**
 * The cheap part of rollback that every platform allows: a marker written before an update is
 * installed and cleared once the new version has a ready window. If a start of the new version
 * did not get that far, the next start says so, names the previous version and where to get it.
 * Synchronous on purpose: it is written from the quit path, right before the installer runs.
 */
export class InstallMarker {
  readonly file: string;

  constructor(userDataDir: string) {
    this.file = join(userDataDir, 'updates', 'install-marker.json');
  }

  /** Record that `from` is about to be replaced by `to` (durably: fsync, then rename). */
  write(from: string, to: string): void {
    const marker: MarkerFile = {
      from,
      to,
      writtenAt: new Date().toISOString(),
      startsWithoutReady: 0,
    };
    this.save(marker);
  }

  /**
   * At start: the notice to show, if the last update did not install or its previous start did
   * not reach a ready window. Counts this start until `ready()` clears the marker.
   */
  onStart(currentVersion: string): RollbackNotice | null {
    const marker = this.read();
    if (!marker) return null;
    if (currentVersion === marker.from) {
      this.clear();
      return {
        previousVersion: marker.from,
        updatedVersion: marker.to,
        downloadUrl: releaseUrlFor(marker.to),
        message: `The update to Stigmer Local ${marker.to} did not install; this is still ${marker.from}. It will be offered again at the next check, or download it from ${releaseUrlFor(marker.to)}.`,
      };
    }
    if (currentVersion !== marker.to) {
      this.clear(); // installed by hand since: the marker is about neither version
      return null;
    }
    const notice: RollbackNotice | null =
      marker.startsWithoutReady > 0
        ? {
            previousVersion: marker.from,
            updatedVersion: marker.to,
            downloadUrl: releaseUrlFor(marker.from),
            message: `Stigmer Local ${marker.to} did not finish starting last time after its update. If it misbehaves, install ${marker.from} again from ${releaseUrlFor(marker.from)}; your settings, keys and logs stay where they are.`,
          }
        : null;
    this.save({ ...marker, startsWithoutReady: marker.startsWithoutReady + 1 });
    return notice;
  }

  /** The new version reached its window: the update worked, forget the marker. */
  ready(): void {
    this.clear();
  }

  private read(): MarkerFile | null {
    try {
      const data = JSON.parse(readFileSync(this.file, 'utf8')) as Partial<MarkerFile>;
      if (typeof data.from !== 'string' || typeof data.to !== 'string') return null;
      const starts = typeof data.startsWithoutReady === 'number' ? data.startsWithoutReady : 0;
      return {
        from: data.from,
        to: data.to,
        writtenAt: String(data.writtenAt),
        startsWithoutReady: starts,
      };
    } catch {
      return null; // none, or unreadable: nothing to say
    }
  }

  private save(marker: MarkerFile): void {
    mkdirSync(join(this.file, '..'), { recursive: true, mode: 0o700 });
    const temp = `${this.file}.tmp`;
    const fd = openSync(temp, 'w', 0o600);
    try {
      writeSync(fd, JSON.stringify(marker) + '\n');
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, this.file);
  }

  private clear(): void {
    rmSync(this.file, { force: true });
  }
}
