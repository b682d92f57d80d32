/**
 * Runs the AWS CLI v2 the way a user would, with only `--endpoint-url` and the local keys: no profile,
 * no config file, no endpoint variables from the developer's shell. `.ci/run` installs Debian's `awscli`
 * (2.9.19, which speaks SQS's query protocol); ORDERLOOP_AWS_CLI points at another build.
 */
import { execFile, execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../aws-ids.js';

/** What one CLI run printed. */
export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

let found: string | undefined;

/** The first `aws` that reports version 2: ORDERLOOP_AWS_CLI, Debian's /usr/bin/aws, then PATH. */
export function awsCliV2(): string {
  if (found) return found;
  const candidates = [process.env.ORDERLOOP_AWS_CLI, '/usr/bin/aws', 'aws'].filter((c): c is string => !!c);
  const seen: string[] = [];
  for (const candidate of candidates) {
    try {
      const version = execFileSync(candidate, ['--version'], { encoding: 'utf8', env: cliEnv() }).trim();
      seen.push(`${candidate}: ${version}`);
      if (version.startsWith('aws-cli/2.')) return (found = candidate);
    } catch {
      seen.push(`${candidate}: not found`);
    }
  }
  throw new Error(
    `no AWS CLI v2 found (${seen.join('; ')}); install it with \`apt-get install -y awscli\` (.ci/run does) ` +
      'or set ORDERLOOP_AWS_CLI',
  );
}

/** A clean environment: the local keys and region, and nothing from ~/.aws or the shell's AWS_* variables. */
function cliEnv(): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('AWS_')));
  const none = join(tmpdir(), 'orderloop-no-aws-config');
  return {
    ...env,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    AWS_DEFAULT_REGION: LOCAL_REGION,
    AWS_CONFIG_FILE: none,
    AWS_SHARED_CREDENTIALS_FILE: none,
    AWS_PAGER: '',
  };
}

/** Runs `aws <args> --endpoint-url <endpoint> --output json` and resolves with what it printed. */
export function aws(
  endpoint: string,
  args: readonly string[],
  env: Readonly<Record<string, string>> = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    execFile(
      awsCliV2(),
      [...args, '--endpoint-url', endpoint, '--output', 'json'],
      { env: { ...cliEnv(), ...env }, encoding: 'utf8', timeout: 60_000 },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') return reject(error);
        resolve({ code: typeof error?.code === 'number' ? error.code : 0, stdout, stderr });
      },
    );
  });
}

/** Runs the CLI and parses its JSON output; fails with the CLI's own message when it exits non-zero. */
export async function awsJson<T = Record<string, unknown>>(
  endpoint: string,
  args: readonly string[],
): Promise<T> {
  const result = await aws(endpoint, args);
  if (result.code !== 0) throw new Error(`aws ${args.join(' ')} exited ${result.code}: ${result.stderr}`);
  return (result.stdout.trim() ? JSON.parse(result.stdout) : {}) as T;
}

/**
 * The time budget of a test that runs the CLI a few times: each run starts a Python interpreter and
 * botocore, about 1.5 s on an idle machine and several times that while the whole suite runs beside it.
 */
export const CLI_TEST_TIMEOUT_MS = 120_000;
