/**
 * An application built on aws-amplify v6, run as its own Node process so NODE_EXTRA_CA_CERTS (the local
 * CA) is set when Node starts, as a developer would set it. It configures Amplify with the values
 * `npm start` prints and does only what an app does: Amplify.configure, signIn, generateClient().graphql.
 * Nothing rewrites URLs: Amplify derives `wss://…/graphql/realtime` itself. Node 20 has no WebSocket
 * global, so the parent starts this process with `--experimental-websocket` (Node's own WebSocket).
 *
 * The test drives it with one JSON command per stdin line and reads one JSON answer per stdout line:
 *   { id, op: 'signIn', username, password }          → { id, ok: true }
 *   { id, op: 'graphql', query, variables }            → { id, ok: true, data } | { id, ok: false, errors }
 *   { id, op: 'subscribe', query, variables }          → { id, ok: true } once started, then { id, event }
 *   { id, op: 'signOut' }                              → { id, ok: true }
 * and writes { id: 0, ok: true } once Amplify is configured.
 */
import { createInterface } from 'node:readline';
import { Amplify } from 'aws-amplify';
import { signIn, signOut } from 'aws-amplify/auth';
import { generateClient } from 'aws-amplify/api';
import { Hub } from 'aws-amplify/utils';
import { parse, print } from 'graphql';

/** The configuration the test passes in AMPLIFY_CONFIG: the printed endpoints, nothing else. */
interface AppConfig {
  readonly graphqlUrl: string;
  readonly region: string;
  readonly userPoolId: string;
  readonly userPoolClientId: string;
  readonly userPoolEndpoint: string;
}

type Command =
  | { id: number; op: 'signIn'; username: string; password: string }
  | { id: number; op: 'graphql' | 'subscribe'; query: string; variables?: Record<string, unknown> }
  | { id: number; op: 'signOut' };

const config = JSON.parse(process.env['AMPLIFY_CONFIG'] ?? '{}') as AppConfig;
Amplify.configure({
  Auth: {
    Cognito: {
      userPoolId: config.userPoolId,
      userPoolClientId: config.userPoolClientId,
      userPoolEndpoint: config.userPoolEndpoint,
    },
  },
  // No defaultAuthMode override: for a user pool API Amplify's default is 'userPool' (the access token).
  API: { GraphQL: { endpoint: config.graphqlUrl, region: config.region, defaultAuthMode: 'userPool' } },
});
const client = generateClient();
const send = (message: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(message)}\n`);
const errorsOf = (error: unknown) =>
  (error as { errors?: unknown[] }).errors ?? [{ message: (error as Error).message ?? String(error) }];

// Amplify reports a started subscription (AppSync's start_ack) on the Hub, not through the observable;
// 'Subscription ack' is CONTROL_MSG.SUBSCRIPTION_ACK of @aws-amplify/api-graphql.
const pendingStarts = new Map<string, () => void>();
// Amplify reports the query as graphql's print() of the parsed document, so keys compare printed forms.
const startKey = (query: string, variables: unknown) =>
  `${print(parse(query)).trim()}\n${JSON.stringify(variables ?? {})}`;
Hub.listen('api', ({ payload }) => {
  const data = payload.data as { query?: string; variables?: unknown } | undefined;
  if (payload.event !== 'Subscription ack' || data?.query === undefined) return;
  const key = startKey(data.query, data.variables);
  pendingStarts.get(key)?.();
  pendingStarts.delete(key);
});

async function run(command: Command): Promise<void> {
  switch (command.op) {
    case 'signIn': {
      // The local Cognito implements USER_PASSWORD_AUTH, not SRP (README, "Amplify JS").
      const out = await signIn({
        username: command.username,
        password: command.password,
        options: { authFlowType: 'USER_PASSWORD_AUTH' },
      });
      send({ id: command.id, ok: out.isSignedIn, step: out.nextStep.signInStep });
      return;
    }
    case 'signOut':
      await signOut();
      send({ id: command.id, ok: true });
      return;
    case 'graphql': {
      try {
        const out = (await client.graphql({ query: command.query, variables: command.variables ?? {} })) as {
          data: unknown;
        };
        send({ id: command.id, ok: true, data: out.data });
      } catch (error) {
        send({ id: command.id, ok: false, errors: errorsOf(error) });
      }
      return;
    }
    case 'subscribe': {
      pendingStarts.set(startKey(command.query, command.variables ?? {}), () =>
        send({ id: command.id, ok: true }),
      );
      const observable = client.graphql({ query: command.query, variables: command.variables ?? {} }) as {
        subscribe(observer: { next(value: unknown): void; error(error: unknown): void }): unknown;
      };
      observable.subscribe({
        next: (value) => send({ id: command.id, event: (value as { data: unknown }).data }),
        error: (error) => send({ id: command.id, ok: false, errors: errorsOf(error) }),
      });
      return;
    }
  }
}

send({ id: 0, ok: true });
for await (const line of createInterface({ input: process.stdin })) {
  if (!line.trim()) continue;
  const command = JSON.parse(line) as Command;
  run(command).catch((error: unknown) => send({ id: command.id, ok: false, errors: errorsOf(error) }));
}
