import { BlockList, isIP } from 'node:net';

/**
 * Turns an EventBridge wildcard into a RegExp. `*` is any run of characters; `\*` and `\\` are a literal
 * asterisk and backslash. Returns an error message instead when the wildcard breaks the documented rules
 * (consecutive `*`, or a backslash before anything else), so validation and matching share one parser.
 */
export function wildcardToRegExp(wildcard: string): RegExp | string {
  let source = '';
  for (let i = 0; i < wildcard.length; i++) {
    const ch = wildcard[i]!;
    if (ch === '\\') {
      const next = wildcard[i + 1];
      if (next !== '*' && next !== '\\')
        return `wildcard "${wildcard}" escapes a character other than * or \\`;
      source += `\\${next}`;
      i++;
    } else if (ch === '*') {
      if (wildcard[i + 1] === '*') return `wildcard "${wildcard}" has consecutive wildcard characters`;
      source += '.*';
    } else {
      source += ch.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
    }
  }
  return new RegExp(`^${source}$`, 's');
}

/** Parses a CIDR block (or a single address) into a BlockList; returns an error message when malformed. */
export function cidrToBlockList(cidr: string): BlockList | string {
  const [address = '', bits, ...rest] = cidr.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return `"${cidr}" is not a valid IPv4 or IPv6 CIDR block`;
  const max = family === 4 ? 32 : 128;
  const prefix = bits === undefined ? max : Number(bits);
  if (!/^\d+$/.test(bits ?? String(max)) || prefix > max) return `"${cidr}" has an invalid prefix length`;
  const list = new BlockList();
  list.addSubnet(address, prefix, family === 4 ? 'ipv4' : 'ipv6');
  return list;
}

/** True when `value` is an IP address string inside the block. */
export function inCidr(list: BlockList, value: unknown): boolean {
  if (typeof value !== 'string') return false;
  const family = isIP(value);
  if (family === 0) return false;
  return list.check(value, family === 4 ? 'ipv4' : 'ipv6');
}

const LOWER = new Set(['>', '>=']);
const UPPER = new Set(['<', '<=']);

/** Checks a `numeric` operand (`["=", 5]`, `[">", 0, "<=", 5]`, …); returns an error message or undefined. */
export function numericProblem(operand: unknown): string | undefined {
  if (!Array.isArray(operand) || (operand.length !== 2 && operand.length !== 4)) {
    return `numeric expects [op, number] or [lowerOp, number, upperOp, number], received ${JSON.stringify(operand)}`;
  }
  const seen = new Set<string>();
  for (let i = 0; i < operand.length; i += 2) {
    const op = operand[i] as unknown;
    const n = operand[i + 1] as unknown;
    if (typeof n !== 'number' || !Number.isFinite(n))
      return `numeric operand ${JSON.stringify(n)} is not a number`;
    if (op === '=') {
      if (operand.length !== 2) return 'numeric "=" cannot be combined with a range';
      continue;
    }
    const side = LOWER.has(op as string) ? 'lower' : UPPER.has(op as string) ? 'upper' : undefined;
    if (!side) return `numeric operator ${JSON.stringify(op)} is not one of =, <, <=, >, >=`;
    if (seen.has(side)) return `numeric range has two ${side} bounds`;
    seen.add(side);
  }
  return undefined;
}

/** Evaluates a validated `numeric` operand against a JSON number. */
export function numericMatches(operand: readonly (string | number)[], value: unknown): boolean {
  if (typeof value !== 'number') return false;
  for (let i = 0; i < operand.length; i += 2) {
    const bound = operand[i + 1] as number;
    switch (operand[i]) {
      case '=':
        if (value !== bound) return false;
        break;
      case '<':
        if (!(value < bound)) return false;
        break;
      case '<=':
        if (!(value <= bound)) return false;
        break;
      case '>':
        if (!(value > bound)) return false;
        break;
      case '>=':
        if (!(value >= bound)) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}
