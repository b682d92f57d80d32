/** Reads a required environment variable, failing at cold start with the variable's name. */
export function requireEnv(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`environment variable ${name} is not set`);
  return value;
}

/** Reads an optional integer environment variable. */
export function intEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value))
    throw new Error(`environment variable ${name} must be an integer, received ${raw}`);
  return value;
}
