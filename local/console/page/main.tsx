/**
 * The local stack's console, after the AppSync console's Queries page: pick an auth mode (a user of the
 * pool, the API key or the local IAM keys), write GraphQL with the schema's docs and completion in
 * GraphiQL, run queries, mutations and subscriptions, and watch the signed-in user's orders move.
 */
import './workers';
import 'graphiql/style.css';
import './styles.css';
import { GraphiQL, type GraphiQLProps } from 'graphiql';
import { getIntrospectionQuery } from 'graphql';
import { StrictMode, useMemo, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { createConsoleApi, type ConsoleAuth, type ConsoleConfig } from './api';
import { OrderBoard } from './board';
import { signIn } from './cognito';

type Fetcher = GraphiQLProps['fetcher'];

/**
 * GraphiQL's own introspection nests `ofType` nine deep (depth 15), past the API's query depth limit (10),
 * which AppSync applies to introspection too. This schema wraps types at most three deep (`[ID!]!`), so
 * four levels of `ofType` describe every type and keep the query at depth 10.
 */
const INTROSPECTION_QUERY = getIntrospectionQuery({
  descriptions: true,
  directiveIsRepeatable: true,
  typeDepth: 4,
});

/** GraphiQL's schema introspection, asked within the API's depth limit; any other operation as written. */
function withinDepthLimit(query: string, operationName: string | null): string {
  return operationName === 'IntrospectionQuery' && query.includes('__schema') ? INTROSPECTION_QUERY : query;
}

const DEFAULT_QUERY = `# The local AppSync API. Pick an auth mode above, then run with Ctrl-Enter.
# Docs and completion (Ctrl-Space) come from the schema.
query Catalog {
  listProducts(limit: 10) {
    items { vendorId productId name price currency available }
  }
}
`;

function readConfig(): ConsoleConfig {
  const element = document.getElementById('console-config');
  return JSON.parse(element?.textContent ?? '{}') as ConsoleConfig;
}

function describeAuth(auth: ConsoleAuth): string {
  switch (auth.mode) {
    case 'API_KEY':
      return 'API key';
    case 'AWS_IAM':
      return `IAM (${auth.accessKeyId})`;
    case 'AMAZON_COGNITO_USER_POOLS':
      return `${auth.username} (${auth.claims.groups.join(', ') || 'no group'}${auth.claims.vendorId ? `, ${auth.claims.vendorId}` : ''})`;
  }
}

function AuthBar({
  config,
  auth,
  onAuth,
}: {
  config: ConsoleConfig;
  auth: ConsoleAuth;
  onAuth: (auth: ConsoleAuth) => void;
}) {
  const [username, setUsername] = useState(config.users[0]?.username ?? '');
  const [password, setPassword] = useState(config.users[0]?.password ?? '');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  return (
    <header className="topbar">
      <div className="brand">
        <span className="logo">orderloop</span>
        <span className="sub">AppSync · Queries (local)</span>
      </div>
      <form
        className="signin"
        aria-label="Sign in"
        onSubmit={(e) => {
          e.preventDefault();
          setBusy(true);
          setError(undefined);
          signIn(config, username, password)
            .then(onAuth)
            .catch((failure: unknown) => setError((failure as Error).message))
            .finally(() => setBusy(false));
        }}
      >
        <input
          aria-label="Username"
          list="console-users"
          value={username}
          onChange={(e) => {
            setUsername(e.target.value);
            const known = config.users.find((u) => u.username === e.target.value);
            if (known) setPassword(known.password);
          }}
        />
        <datalist id="console-users">
          {config.users.map((u) => (
            <option key={u.username} value={u.username}>
              {u.groups.join(', ')}
            </option>
          ))}
        </datalist>
        <input
          aria-label="Password"
          type="password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
        <button type="submit" disabled={busy}>
          Sign in
        </button>
        {config.apiKey ? (
          <button type="button" onClick={() => onAuth({ mode: 'API_KEY', apiKey: config.apiKey ?? '' })}>
            API key
          </button>
        ) : null}
        <button type="button" onClick={() => onAuth({ mode: 'AWS_IAM', ...config.iam })}>
          IAM keys
        </button>
      </form>
      <div className="whoami" data-testid="auth-mode">
        {error ? (
          <span className="error" role="alert">
            {error}
          </span>
        ) : (
          describeAuth(auth)
        )}
      </div>
    </header>
  );
}

function App({ config }: { config: ConsoleConfig }) {
  const [auth, setAuth] = useState<ConsoleAuth>(
    config.apiKey
      ? { mode: 'API_KEY', apiKey: config.apiKey }
      : { mode: 'AWS_IAM', accessKeyId: config.iam.accessKeyId, secretAccessKey: config.iam.secretAccessKey },
  );
  const api = useMemo(() => createConsoleApi(config.region, auth), [config.region, auth]);
  // A new fetcher makes GraphiQL introspect again, so the docs show what this auth mode may call.
  const fetcher = useMemo<Fetcher>(
    () => (params) =>
      // GraphiQL types answers as ExecutionResult (GraphQLError instances) but only prints their JSON,
      // which is what AppSync sends.
      api.execute({
        query: withinDepthLimit(params.query, params.operationName ?? null),
        variables: (params.variables ?? null) as Record<string, unknown> | null,
        operationName: params.operationName ?? null,
      }) as unknown as ReturnType<Fetcher>,
    [api],
  );
  return (
    <div className="console">
      <AuthBar config={config} auth={auth} onAuth={setAuth} />
      <main className="panes">
        <div className="editor" data-testid="graphiql">
          <GraphiQL fetcher={fetcher} defaultQuery={DEFAULT_QUERY} isHeadersEditorEnabled={false} />
        </div>
        <aside className="side">
          {auth.mode === 'AMAZON_COGNITO_USER_POOLS' ? (
            <OrderBoard key={auth.idToken} api={api} auth={auth} />
          ) : (
            <p className="board-note">
              Sign in as a user of the pool to see that user&apos;s orders move live. The API key reaches the
              public catalog; the IAM keys reach the internal mutations the backend calls.
            </p>
          )}
        </aside>
      </main>
    </div>
  );
}

const root = document.getElementById('root');
if (root)
  createRoot(root).render(
    <StrictMode>
      <App config={readConfig()} />
    </StrictMode>,
  );
