/**
 * `npm start`: runs the app's synthesized stack on this machine with the app's seed (orderloop.local.ts),
 * writes .orderloop/endpoints.json, prints how to sign in, and stops cleanly on Ctrl-C.
 */
import { join, relative } from 'node:path';
import { writeEndpointsFile, type LocalStackEndpoints } from './endpoints.js';
import { summaryLine } from './meter/index.js';
import { loadLocalConfig, type LocalBannerConfig } from './config.js';
import { startLocalStack, type LocalStack } from './stack.js';

// Lambda runs Node 22; the SDK's notice about a local Node 20 says nothing about the deployed stack.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const root = process.cwd();
// Tests point this elsewhere so they never share DynamoDB Local's files with a developer's `npm start`.
const stateDir = process.env.ORDERLOOP_STATE_DIR ?? join(root, '.orderloop');
// `npm start -- --verbose` or ORDERLOOP_VERBOSE=1 prints every function's own output on the console too.
const verbose =
  process.argv.includes('--verbose') || /^(1|true|yes|on)$/i.test(process.env.ORDERLOOP_VERBOSE ?? '');
// Every listener binds loopback; ORDERLOOP_HOST=0.0.0.0 opens them to the network, on purpose only.
const host = process.env.ORDERLOOP_HOST || undefined;
const logDir = join(stateDir, 'logs');

/** The banner: where everything is and how to call it. */
function banner(
  config: LocalBannerConfig,
  endpoints: LocalStackEndpoints,
  readyMs: number,
  endpointsFile: string,
): string {
  const user = endpoints.users.find((u) => u.groups.includes('customer'));
  const lines = [
    '',
    `${config.title ?? 'local stack'} ready in ${(readyMs / 1000).toFixed(1)} s`,
    '',
    `  Console     ${endpoints.sqs}/  (GraphiQL, sign-in and a live order board, in the browser)`,
    `  GraphQL     ${endpoints.graphqlUrl}`,
    `  Real-time   ${endpoints.realtimeUrl}`,
    `  AWS APIs    ${endpoints.sqs}  (DynamoDB, Cognito, SQS, EventBridge, SNS, Lambda; region ${endpoints.region})`,
    ...(endpoints.https
      ? [
          `  HTTPS       ${endpoints.https.graphqlUrl}, ${endpoints.https.realtimeUrl}, ${endpoints.https.awsEndpoint}`,
          `  Local CA    ${endpoints.https.caFile}`,
          `              Node: NODE_EXTRA_CA_CERTS=<that file>; browser: import it as an authority (README "HTTPS")`,
        ]
      : []),
    `  User pool   ${endpoints.cognito.userPoolId}, app client ${endpoints.cognito.clientId}`,
    `  API key     ${endpoints.apiKey ?? '(none)'}`,
    `  IAM         ${endpoints.iam.accessKeyId} / ${endpoints.iam.secretAccessKey}`,
    `  Endpoints   ${endpointsFile}`,
    '',
    ...(config.lines?.(endpoints) ?? []),
    '  Users       (password for all: ' + (endpoints.users[0]?.password ?? '-') + ')',
    ...endpoints.users.map(
      (u) =>
        `    ${u.username.padEnd(28)} ${u.groups.join(',')}${u.vendorId ? ` vendorId=${u.vendorId}` : ''}`,
    ),
    '',
  ];
  if (user) {
    lines.push(
      '  Sign in (the ID or the access token goes in the Authorization header):',
      `    AWS_ACCESS_KEY_ID=${endpoints.iam.accessKeyId} AWS_SECRET_ACCESS_KEY=${endpoints.iam.secretAccessKey} \\`,
      `    aws cognito-idp initiate-auth --endpoint-url ${endpoints.cognito.endpoint} --region ${endpoints.region} \\`,
      `      --client-id ${endpoints.cognito.clientId} --auth-flow USER_PASSWORD_AUTH \\`,
      `      --auth-parameters USERNAME=${user.username},PASSWORD='${user.password}' \\`,
      `      --query AuthenticationResult.IdToken --output text`,
      '',
    );
  }
  if (endpoints.apiKey) {
    lines.push(
      '  Public catalog with the API key:',
      `    curl -s ${endpoints.graphqlUrl} -H 'content-type: application/json' -H 'x-api-key: ${endpoints.apiKey}' \\`,
      `      -d '{"query":"{ listProducts { items { vendorId productId name price currency available } } }"}'`,
      '',
    );
  }
  lines.push(
    `One line per request, event and invocation below; each function's own log is in ${logDir}/<function>.log`,
    verbose
      ? '(verbose: function output is printed too)'
      : '(npm start -- --verbose, or ORDERLOOP_VERBOSE=1, prints it here too)',
    'Press Ctrl-C to stop.',
    '',
  );
  return lines.join('\n');
}

let stack: LocalStack | undefined;
let stopping = false;

async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  process.stdout.write(`\n${signal}: stopping the local stack…\n`);
  if (stack) process.stdout.write(`${summaryLine(stack.meter.read())}\n`);
  try {
    await stack?.stop();
    process.stdout.write('stopped.\n');
    process.exit(0);
  } catch (error) {
    process.stderr.write(`stop failed: ${(error as Error).message}\n`);
    process.exit(1);
  }
}

// Installed before the start so a Ctrl-C during synth or start still stops what already runs.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void shutdown(signal));
// The cost meter on demand: `kill -USR2 <pid>` prints its summary line (GET /_orderloop/meter has the detail).
process.on('SIGUSR2', () => stack && process.stdout.write(`${summaryLine(stack.meter.read())}\n`));

try {
  const config = await loadLocalConfig(root);
  stack = await startLocalStack({
    root,
    dataDir: join(stateDir, 'data'),
    ...(config.seed ? { seed: config.seed } : {}),
    tls: {
      dir: join(stateDir, 'tls'),
      ...(process.env.HTTPS_PORT ? { port: Number(process.env.HTTPS_PORT) } : {}),
    },
    logDir,
    verbose,
    ...(host ? { host } : {}),
  });
  if (stopping) {
    await stack.stop();
  } else {
    const endpointsFile = join(stateDir, 'endpoints.json');
    writeEndpointsFile(endpointsFile, stack.endpoints);
    // From the process start, so module loading counts as the user waits for it too.
    const shown = relative(root, endpointsFile).startsWith('..')
      ? endpointsFile
      : relative(root, endpointsFile);
    process.stdout.write(banner(config.banner ?? {}, stack.endpoints, process.uptime() * 1000, shown));
    const phases = Object.entries(stack.phases).map(([name, ms]) => `${name} ${(ms / 1000).toFixed(1)} s`);
    process.stdout.write(`(start-up phases: ${phases.join(', ')})\n`);
    process.stdout.write(
      `(cost meter: curl -s ${new URL('/_orderloop/meter', stack.endpoints.graphqlUrl).toString()}, or kill -USR2 ${process.pid})\n`,
    );
  }
} catch (error) {
  process.stderr.write(`npm start failed: ${(error as Error).message}\n`);
  process.exit(1);
}
