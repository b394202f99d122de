import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import {
  createServer,
  request,
  type ClientRequest,
  type RequestOptions,
  type Server,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import {
  HttpExecutor,
  configureRequestOptions,
  configureRequestUrl,
  type DownloadOptions,
} from 'builder-util-runtime';
import { BaseUpdater } from 'electron-updater';
import type { AppAdapter } from 'electron-updater/out/AppAdapter';
import type { InstallOptions } from 'electron-updater/out/BaseUpdater';
import type {
  DownloadExecutorResult,
  DownloadUpdateOptions,
} from 'electron-updater/out/AppUpdater';
import { findFile } from 'electron-updater/out/providers/Provider';

// Test support only: a real node:http feed and a real electron-updater BaseUpdater over it, so
// the feed parsing (GenericProvider), the version comparison and the sha512 check under test are
// electron-updater's own. What is ours here is only what Electron would give: the app adapter
// (instead of Electron's app), a Node HTTP transport (instead of electron.net) and an installer
// that records what it was asked to do instead of running one.

/** One release the feed announces. */
export interface FeedRelease {
  version: string;
  /** The artifact's bytes as served. */
  artifact: Buffer;
  /** The sha512 the feed claims; default: the artifact's real one. */
  sha512?: string;
  releaseNotes?: string;
}

/** A local HTTP update feed: latest*.yml and one artifact, counting what was asked for. */
export class LocalFeed {
  readonly requests: string[] = [];
  private server: Server | null = null;
  private release: FeedRelease | null = null;
  private hold: Promise<void> | null = null;
  private releaseHold: () => void = () => undefined;

  /** Base URL, once listening. */
  get url(): string {
    const address = this.server?.address() as AddressInfo;
    return `http://127.0.0.1:${address.port}/`;
  }

  /** Start listening on a free loopback port. */
  async listen(): Promise<void> {
    this.server = createServer((req, res) => void this.answer(req.url ?? '/', res));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
  }

  /** What latest.yml announces from now on. */
  publish(release: FeedRelease): void {
    this.release = release;
  }

  /** Hold artifact responses (headers not sent) until `resume()`: the download stays in flight. */
  holdDownloads(): void {
    this.hold = new Promise((resolve) => (this.releaseHold = resolve));
  }

  /** Let held downloads go on. */
  resume(): void {
    this.releaseHold();
    this.hold = null;
  }

  /** Stop the server. */
  async close(): Promise<void> {
    this.resume();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  private async answer(path: string, res: import('node:http').ServerResponse): Promise<void> {
    const name = decodeURIComponent(path.split('?')[0] ?? '/').slice(1);
    this.requests.push(name);
    const release = this.release;
    if (!release) {
      res.writeHead(404).end('no release');
      return;
    }
    const file = artifactName(release.version);
    if (/^latest(-[a-z0-9]+)*\.yml$/.test(name)) {
      const sha512 = release.sha512 ?? sha512Of(release.artifact);
      const notes = release.releaseNotes
        ? `releaseNotes: ${JSON.stringify(release.releaseNotes)}\n`
        : '';
      const yml =
        `version: ${release.version}\nfiles:\n  - url: ${file}\n    sha512: ${sha512}\n    size: ${release.artifact.length}\n` +
        `path: ${file}\nsha512: ${sha512}\nreleaseDate: '2026-11-28T12:00:00.000Z'\n${notes}`;
      res.writeHead(200, { 'content-type': 'text/yaml' }).end(yml);
      return;
    }
    if (name === file) {
      if (this.hold) await this.hold;
      res.writeHead(200, {
        'content-type': 'application/octet-stream',
        'content-length': String(release.artifact.length),
      });
      res.end(release.artifact);
      return;
    }
    res.writeHead(404).end('not found');
  }
}

/** The artifact's file name in the feed. */
export function artifactName(version: string): string {
  return `Stigmer-Local-${version}.zip`;
}

/** sha512 in the base64 form electron-builder writes. */
export function sha512Of(data: Buffer): string {
  return createHash('sha512').update(data).digest('base64');
}

/** electron-updater's HttpExecutor over node:http (Electron's is over electron.net). */
class NodeHttp extends HttpExecutor<ClientRequest> {
  createRequest(options: RequestOptions, callback: (response: unknown) => void): ClientRequest {
    return request(options, callback);
  }

  download(url: URL, destination: string, options: DownloadOptions): Promise<string> {
    return options.cancellationToken.createPromise<string>((resolve, reject, onCancel) => {
      const requestOptions: RequestOptions = { headers: options.headers ?? undefined };
      configureRequestUrl(url, requestOptions);
      configureRequestOptions(requestOptions);
      this.doDownload(
        requestOptions,
        {
          destination,
          options,
          onCancel,
          callback: (error) => (error ? reject(error) : resolve(destination)),
          responseHandler: null,
        },
        0,
      );
    });
  }
}

/**
 * A real electron-updater updater (BaseUpdater: the class NSIS, AppImage and deb updaters share)
 * reading a real app-update.yml, with a stand-in app adapter and a recording installer.
 */
export class FeedUpdater extends BaseUpdater {
  readonly installs: InstallOptions[] = [];
  private readonly http = new NodeHttp();

  constructor(app: AppAdapter) {
    super(null, app);
    // Electron's executor is set only when no adapter is given; the feed's client is created
    // lazily from app-update.yml with whatever executor is set by then.
    (this as unknown as { httpExecutor: NodeHttp }).httpExecutor = this.http;
  }

  protected doDownloadUpdate(options: DownloadUpdateOptions): Promise<DownloadExecutorResult> {
    const provider = options.updateInfoAndProvider.provider;
    const fileInfo = findFile(provider.resolveFiles(options.updateInfoAndProvider.info), 'zip');
    if (!fileInfo) throw new Error('the feed lists no .zip');
    return this.executeDownload({
      fileExtension: 'zip',
      fileInfo,
      downloadUpdateOptions: options,
      task: async (destination, downloadOptions) => {
        await this.http.download(fileInfo.url, destination, downloadOptions);
      },
    });
  }

  protected doInstall(options: InstallOptions): boolean {
    this.installs.push(options);
    return true;
  }
}

/** An installed app as electron-updater sees it: version, paths, app-update.yml on disk. */
export async function standInApp(
  dir: string,
  version: string,
  feedUrl: string,
): Promise<AppAdapter & { quits: number }> {
  const resources = join(dir, 'resources');
  await mkdir(resources, { recursive: true });
  const appUpdateConfigPath = join(resources, 'app-update.yml');
  // What electron-builder writes for `publish: generic` (updaterCacheDirName included).
  await writeFile(
    appUpdateConfigPath,
    `provider: generic\nurl: ${feedUrl}\nupdaterCacheDirName: stigmer-local-updater\n`,
  );
  const app = {
    version,
    name: 'Stigmer Local',
    isPackaged: true,
    appUpdateConfigPath,
    userDataPath: join(dir, 'user-data'),
    baseCachePath: join(dir, 'cache'),
    quits: 0,
    whenReady: () => Promise.resolve(),
    relaunch: () => undefined,
    quit: () => void (app.quits += 1),
    onQuit: () => undefined,
  };
  return app;
}
