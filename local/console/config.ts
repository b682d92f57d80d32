/** What the console's route inlines into the page; no URL, since the page calls its own origin. */
export interface ConsoleConfig {
  readonly region: string;
  readonly userPoolId: string;
  readonly clientId: string;
  readonly apiKey?: string;
  readonly iam: { readonly accessKeyId: string; readonly secretAccessKey: string };
  readonly users: readonly {
    readonly username: string;
    readonly password: string;
    readonly groups: readonly string[];
  }[];
}
