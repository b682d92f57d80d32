/** Fails construction with the prop's name, what was received and what is allowed. */
export function assertIntegerInRange(
  name: string,
  value: number | undefined,
  min: number,
  max: number,
): void {
  if (value === undefined) return;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be an integer between ${min} and ${max}, received ${value}`);
  }
}
