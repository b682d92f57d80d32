/**
 * Decides, from its source alone, whether bundled resolver code is certain to finish: then the sandbox
 * runs it without node:vm's per-call watchdog thread (`runInContext` with `timeout` starts and joins a
 * thread on every call, the largest single cost of a cheap resolver) and checks the time limit once the
 * handler has returned instead.
 *
 * The proof follows the APPSYNC_JS rules ("Supported runtime features" and @aws-appsync/eslint-plugin):
 * no `while`, `do-while`, `for(;;)` or labels, no recursion (`no-recursion`), no functions passed around
 * (`no-function-passing`) and no regex literals (`no-regex`). On top of those it only accepts what it can
 * follow: loops are `for-in` (V8 walks a snapshot of the keys) and `for-of` over a collection the code
 * cannot grow while it walks it; functions are top-level ones called by name, or inline callbacks of the
 * array methods that fix the length they visit before the first call; nothing builds a sized value
 * (`repeat`, `padStart`, `fill`, `Array(n)`, a `length` write) or a regex (`match`, `search`,
 * `util.matches`). Such code always halts, in time polynomial in the size of its input.
 *
 * Anything else (a global it does not know, a computed call, `new`, `this`, ...) is "not proven": that
 * code keeps the watchdog, so an endless loop is still stopped at the time limit, as AWS stops it.
 */
import { parse } from 'acorn';

/** The verdict on one resolver code. */
export type BoundedVerdict =
  { readonly bounded: true } | { readonly bounded: false; readonly reason: string };

interface AstNode {
  type: string;
  [key: string]: unknown;
}

const node = (value: unknown): AstNode | undefined =>
  value && typeof value === 'object' && typeof (value as AstNode).type === 'string'
    ? (value as AstNode)
    : undefined;

/** Array methods that read the length once, then call their callback at most that often. */
const CALLBACK_METHODS = new Set([
  'map',
  'filter',
  'reduce',
  'reduceRight',
  'some',
  'every',
  'find',
  'findIndex',
  'findLast',
  'findLastIndex',
  'forEach',
  'flatMap',
  'sort',
]);

/** Members no code may touch: the way out to the host's Function, and prototype surgery. */
const forbidden = (name: string): boolean =>
  name === 'constructor' || name === 'prototype' || name.startsWith('__');

/** Properties the engine calls or reads by itself (JSON.stringify, string conversion): code may not set them. */
const HOOKS = new Set(['toJSON', 'toString', 'valueOf', 'toLocaleString', 'then', 'length']);

/** Methods that build a value of a size the caller picks, compile a regex, or call what the caller picks. */
const UNCALLABLE = new Set([
  'repeat',
  'padStart',
  'padEnd',
  'fill',
  'match',
  'matchAll',
  'search',
  'matches',
  'call',
  'apply',
  'bind',
  'defineProperty',
  'defineProperties',
  'setPrototypeOf',
]);

/** Methods of a growable local array that return neither the array itself nor a live view of it. */
const GROWABLE_METHODS = new Set([
  'push',
  'unshift',
  'splice',
  'slice',
  'concat',
  'join',
  'includes',
  'indexOf',
  'lastIndexOf',
  'at',
  'length',
  ...[...CALLBACK_METHODS].filter((m) => m !== 'sort'), // sort returns the same array
]);
const GROWING = new Set(['push', 'unshift', 'splice']);

/**
 * Methods code may not hold as values, only call: held, they could be attached to an object of the code's
 * choosing and called on it (`o.f = [].push; o.f(x)` grows `o`, and so does `o.f = [].forEach; o.f(cb, o)`).
 */
const UNHOLDABLE = new Set([...UNCALLABLE, ...GROWING, ...CALLBACK_METHODS]);

/** Globals the code may name, and for some, the only members it may use. */
const GLOBALS: Record<string, ReadonlySet<string> | 'any'> = {
  JSON: new Set(['parse', 'stringify']),
  Math: 'any',
  Number: 'any',
  String: 'any',
  Boolean: 'any',
  Object: new Set(['keys', 'values', 'entries', 'hasOwn', 'fromEntries', 'freeze', 'isFrozen', 'assign']),
  Array: new Set(['isArray']),
  Date: new Set(['now']),
  parseInt: 'any',
  parseFloat: 'any',
  isNaN: 'any',
  isFinite: 'any',
  encodeURIComponent: 'any',
  decodeURIComponent: 'any',
  undefined: 'any',
  NaN: 'any',
  Infinity: 'any',
  console: 'any',
};

class NotProven extends Error {}

const fail = (reason: string): never => {
  throw new NotProven(reason);
};

const isFunction = (n: AstNode | undefined): boolean =>
  n?.type === 'ArrowFunctionExpression' || n?.type === 'FunctionExpression';

/** `a.b` and `a['b']` name `b`; `a[k]` names nothing. */
function memberName(member: AstNode): string | undefined {
  const property = node(member.property);
  if (!member.computed && property?.type === 'Identifier') return property.name as string;
  if (member.computed && property?.type === 'Literal' && !property.regex) return String(property.value);
  return undefined;
}

function children(n: AstNode): AstNode[] {
  const out: AstNode[] = [];
  for (const v of Object.values(n)) {
    if (Array.isArray(v)) out.push(...v.filter((item): item is AstNode => node(item) !== undefined));
    else if (node(v)) out.push(v as AstNode);
  }
  return out;
}

function nameOf(id: unknown): string | undefined {
  const n = node(id);
  return n?.type === 'Identifier' ? (n.name as string) : undefined;
}

function boundNames(p: AstNode | undefined): string[] {
  if (!p) return [];
  switch (p.type) {
    case 'Identifier':
      return [p.name as string];
    case 'ObjectPattern':
      return (p.properties as AstNode[]).flatMap((prop) =>
        boundNames(node(prop.type === 'RestElement' ? prop.argument : prop.value)),
      );
    case 'ArrayPattern':
      return (p.elements as (AstNode | null)[]).flatMap((el) => boundNames(el ?? undefined));
    case 'RestElement':
      return boundNames(node(p.argument));
    case 'AssignmentPattern':
      return boundNames(node(p.left));
    default:
      return [];
  }
}

/** Every identifier an expression mentions (property names excluded). */
function identifiersIn(e: AstNode): string[] {
  const out: string[] = [];
  const walk = (n: AstNode, parent?: AstNode, key?: string) => {
    if (n.type === 'Identifier') {
      const isProperty =
        (parent?.type === 'MemberExpression' && key === 'property' && !parent.computed) ||
        (parent?.type === 'Property' && key === 'key' && !parent.computed);
      if (!isProperty) out.push(n.name as string);
      return;
    }
    for (const [k, v] of Object.entries(n)) {
      const items: unknown[] = Array.isArray(v) ? v : [v];
      for (const item of items) if (node(item)) walk(item as AstNode, n, k);
    }
  };
  walk(e);
  return out;
}

/**
 * The growable arrays of one top-level function (its callbacks included): names bound exactly once in
 * it, by `const x = [...]`, that the code grows with push, unshift or splice. These are the only values
 * code may grow, so the only ones a for-of could see grow; the checker keeps them from aliasing.
 */
function growableArrays(fn: AstNode): Set<string> {
  const bindings = new Map<string, number>();
  const literals = new Set<string>();
  const grown = new Set<string>();
  const bind = (names: string[]) => {
    for (const name of names) bindings.set(name, (bindings.get(name) ?? 0) + 1);
  };
  const walk = (n: AstNode) => {
    if (isFunction(n) || n.type === 'FunctionDeclaration')
      for (const p of n.params as AstNode[]) bind(boundNames(p));
    if (n.type === 'CatchClause' && n.param) bind(boundNames(node(n.param)));
    if (n.type === 'VariableDeclarator') {
      bind(boundNames(node(n.id)));
      const name = nameOf(n.id);
      if (name && node(n.init)?.type === 'ArrayExpression') literals.add(name);
    }
    if (n.type === 'CallExpression') {
      const callee = node(n.callee);
      const object = callee?.type === 'MemberExpression' ? nameOf(callee.object) : undefined;
      if (object && GROWING.has(memberName(callee!) ?? '')) grown.add(object);
    }
    children(n).forEach(walk);
  };
  walk(fn);
  const consts = new Set<string>();
  const walkConsts = (n: AstNode) => {
    if (n.type === 'VariableDeclaration' && n.kind === 'const')
      for (const d of n.declarations as AstNode[]) {
        const name = nameOf(d.id);
        if (name) consts.add(name);
      }
    children(n).forEach(walkConsts);
  };
  walkConsts(fn);
  return new Set([...grown].filter((n) => literals.has(n) && consts.has(n) && bindings.get(n) === 1));
}

/** What the checker knows while it walks one top-level function. */
interface Scope {
  readonly growable: ReadonlySet<string>;
  /** Top-level functions this one calls by name. */
  readonly calls: Set<string>;
  /** How deep in inline callbacks the walk is: a growable array may only be returned at depth 0. */
  callbackDepth: number;
}

type Position = 'value' | 'receiver' | 'returned' | 'callee';

class Checker {
  private readonly functions = new Map<string, AstNode>();
  private readonly callGraph = new Map<string, Set<string>>();
  private readonly imports = new Set<string>();
  private readonly topLevel = new Set<string>();

  check(program: AstNode): void {
    const body = program.body as AstNode[];
    for (const statement of body) this.declareTopLevel(statement);
    const moduleScope: Scope = { growable: new Set(), calls: new Set(), callbackDepth: 0 };
    for (const statement of body) {
      if (statement.type === 'ImportDeclaration') continue;
      const declaration =
        statement.type === 'ExportNamedDeclaration' ? node(statement.declaration) : statement;
      if (!declaration) continue; // `export { request, response }`
      if (declaration.type === 'FunctionDeclaration') {
        this.checkFunction(declaration, nameOf(declaration.id)!);
        continue;
      }
      if (declaration.type === 'VariableDeclaration' && declaration.kind === 'const') {
        const rest: AstNode[] = [];
        for (const d of declaration.declarations as AstNode[]) {
          const name = nameOf(d.id);
          if (name && isFunction(node(d.init))) this.checkFunction(node(d.init)!, name);
          else rest.push(d);
        }
        this.statement({ ...declaration, declarations: rest }, moduleScope);
        continue;
      }
      this.statement(declaration, moduleScope);
    }
    this.callGraph.set('<module>', moduleScope.calls);
    this.rejectCycles();
  }

  private declareTopLevel(statement: AstNode): void {
    if (statement.type === 'ImportDeclaration') {
      const source = String(node(statement.source)?.value ?? '');
      if (source !== '@aws-appsync/utils' && source !== '@aws-appsync/utils/dynamodb')
        fail(`imports ${source}`);
      for (const s of statement.specifiers as AstNode[]) {
        const imported = nameOf(s.imported);
        if (imported && (UNHOLDABLE.has(imported) || forbidden(imported))) fail(`imports ${imported}`);
        this.imports.add(nameOf(s.local)!);
      }
      return;
    }
    if (statement.type === 'ExportDefaultDeclaration' || statement.type === 'ExportAllDeclaration')
      fail(`an ${statement.type}`);
    const declaration = statement.type === 'ExportNamedDeclaration' ? node(statement.declaration) : statement;
    if (declaration?.type === 'FunctionDeclaration') this.functions.set(nameOf(declaration.id)!, declaration);
    else if (declaration?.type === 'VariableDeclaration') {
      for (const d of declaration.declarations as AstNode[]) {
        const name = nameOf(d.id);
        if (name && declaration.kind === 'const' && isFunction(node(d.init)))
          this.functions.set(name, node(d.init)!);
        else for (const bound of boundNames(node(d.id))) this.topLevel.add(bound);
      }
    }
  }

  private checkFunction(fn: AstNode, name: string): void {
    if (fn.generator || fn.async) fail(`${name} is a generator or async function`);
    const scope: Scope = { growable: growableArrays(fn), calls: new Set(), callbackDepth: 0 };
    for (const p of fn.params as AstNode[]) this.pattern(p, scope);
    this.functionBody(fn, scope);
    this.callGraph.set(name, scope.calls);
  }

  private functionBody(fn: AstNode, scope: Scope): void {
    const body = node(fn.body)!;
    if (body.type === 'BlockStatement') for (const s of body.body as AstNode[]) this.statement(s, scope);
    else this.expression(body, scope);
  }

  private statement(s: AstNode, scope: Scope): void {
    switch (s.type) {
      case 'EmptyStatement':
      case 'DebuggerStatement':
        return;
      case 'BreakStatement':
        if (s.label) fail('a labelled break');
        return;
      case 'ExpressionStatement':
        return this.expression(node(s.expression)!, scope);
      case 'BlockStatement':
        for (const inner of s.body as AstNode[]) this.statement(inner, scope);
        return;
      case 'ReturnStatement':
        if (s.argument)
          this.expression(node(s.argument)!, scope, scope.callbackDepth === 0 ? 'returned' : 'value');
        return;
      case 'ThrowStatement':
        return this.expression(node(s.argument)!, scope);
      case 'IfStatement':
        this.expression(node(s.test)!, scope);
        this.statement(node(s.consequent)!, scope);
        if (s.alternate) this.statement(node(s.alternate)!, scope);
        return;
      case 'SwitchStatement':
        this.expression(node(s.discriminant)!, scope);
        for (const c of s.cases as AstNode[]) {
          if (c.test) this.expression(node(c.test)!, scope);
          for (const inner of c.consequent as AstNode[]) this.statement(inner, scope);
        }
        return;
      case 'TryStatement': {
        this.statement(node(s.block)!, scope);
        const handler = node(s.handler);
        if (handler?.param) this.pattern(node(handler.param)!, scope);
        if (handler) this.statement(node(handler.body)!, scope);
        if (s.finalizer) this.statement(node(s.finalizer)!, scope);
        return;
      }
      case 'VariableDeclaration':
        for (const d of s.declarations as AstNode[]) {
          this.pattern(node(d.id)!, scope);
          if (d.init) this.expression(node(d.init)!, scope);
        }
        return;
      case 'ForInStatement':
        // V8 enumerates a snapshot of the keys: keys the body adds are not visited.
        this.forHead(node(s.left)!, scope);
        this.expression(node(s.right)!, scope);
        return this.statement(node(s.body)!, scope);
      case 'ForOfStatement': {
        if (s.await) fail('a for await');
        const right = node(s.right)!;
        // Only a growable array can grow under the loop, and a growable array never aliases (below).
        for (const name of identifiersIn(right))
          if (scope.growable.has(name)) fail(`a for-of over ${name}, an array the code grows`);
        this.forHead(node(s.left)!, scope);
        this.expression(right, scope);
        return this.statement(node(s.body)!, scope);
      }
      default:
        // while, do-while, for(;;), labels, nested function declarations, classes, ...
        return fail(`a ${s.type}`);
    }
  }

  private forHead(left: AstNode, scope: Scope): void {
    if (left.type === 'VariableDeclaration')
      for (const d of left.declarations as AstNode[]) this.pattern(node(d.id)!, scope);
    else this.assignTarget(left, scope);
  }

  private pattern(p: AstNode, scope: Scope): void {
    switch (p.type) {
      case 'Identifier':
        return;
      case 'ObjectPattern':
        for (const prop of p.properties as AstNode[]) {
          if (prop.type === 'RestElement') {
            this.pattern(node(prop.argument)!, scope);
            continue;
          }
          const key = node(prop.key)!;
          const name = prop.computed ? (key.type === 'Literal' ? String(key.value) : undefined) : nameOf(key);
          if (name === undefined) fail('a destructuring with a computed key');
          if (UNHOLDABLE.has(name!) || forbidden(name!)) fail(`destructures ${name}`);
          this.pattern(node(prop.value)!, scope);
        }
        return;
      case 'ArrayPattern':
        for (const el of p.elements as (AstNode | null)[]) if (el) this.pattern(el, scope);
        return;
      case 'RestElement':
        return this.pattern(node(p.argument)!, scope);
      case 'AssignmentPattern':
        this.pattern(node(p.left)!, scope);
        return this.expression(node(p.right)!, scope);
      default:
        return this.assignTarget(p, scope);
    }
  }

  /** An assignment may not write a length, a computed key, or the binding of a function or growable array. */
  private assignTarget(target: AstNode, scope: Scope): void {
    if (target.type === 'Identifier') {
      const name = target.name as string;
      if (this.functions.has(name) || scope.growable.has(name)) fail(`reassigns ${name}`);
      return;
    }
    if (target.type === 'MemberExpression') {
      const name = memberName(target);
      if (name === undefined) fail('a write to a computed key');
      if (HOOKS.has(name!) || forbidden(name!)) fail(`a write to .${name}`);
      return this.expression(node(target.object)!, scope, 'receiver');
    }
    return this.pattern(target, scope);
  }

  private expression(e: AstNode, scope: Scope, position: Position = 'value'): void {
    switch (e.type) {
      case 'Literal':
        if (e.regex) fail('a regex literal');
        return;
      case 'Identifier':
        return this.identifier(e.name as string, scope, position);
      case 'TemplateLiteral':
        for (const x of e.expressions as AstNode[]) this.expression(x, scope);
        return;
      case 'ArrayExpression':
        for (const el of e.elements as (AstNode | null)[]) if (el) this.expression(el, scope);
        return;
      case 'ObjectExpression':
        for (const prop of e.properties as AstNode[]) {
          if (prop.type === 'SpreadElement') {
            this.expression(node(prop.argument)!, scope);
            continue;
          }
          if (prop.kind !== 'init' || prop.method) fail('a getter, setter or method');
          const key = node(prop.key)!;
          if (prop.computed) this.expression(key, scope);
          const name = prop.computed ? undefined : String(key.name ?? key.value);
          if (name !== undefined && (HOOKS.has(name) || forbidden(name)))
            fail(`an object literal with ${name}`);
          this.expression(node(prop.value)!, scope);
        }
        return;
      case 'SpreadElement':
        return this.expression(node(e.argument)!, scope);
      case 'UnaryExpression':
        return this.expression(node(e.argument)!, scope);
      case 'UpdateExpression':
        return this.assignTarget(node(e.argument)!, scope);
      case 'BinaryExpression':
      case 'LogicalExpression':
        this.expression(node(e.left)!, scope);
        return this.expression(node(e.right)!, scope);
      case 'AssignmentExpression':
        this.assignTarget(node(e.left)!, scope);
        return this.expression(node(e.right)!, scope);
      case 'ConditionalExpression':
        this.expression(node(e.test)!, scope);
        this.expression(node(e.consequent)!, scope, position);
        return this.expression(node(e.alternate)!, scope, position);
      case 'SequenceExpression':
        for (const x of e.expressions as AstNode[]) this.expression(x, scope);
        return;
      case 'ChainExpression':
      case 'ParenthesizedExpression':
        return this.expression(node(e.expression)!, scope, position);
      case 'MemberExpression':
        return this.member(e, scope, position === 'callee');
      case 'CallExpression':
        return this.call(e, scope);
      default:
        // new, this, await, yield, functions outside a callback position, tagged templates, import(), ...
        return fail(`a ${e.type}`);
    }
  }

  private identifier(name: string, scope: Scope, position: Position): void {
    if (name === 'arguments' || name === 'globalThis' || name === 'eval') fail(`uses ${name}`);
    if (this.functions.has(name) && position !== 'callee') fail(`uses the function ${name} as a value`);
    // A growable array is only used through its own non-aliasing members, or handed back whole.
    if (scope.growable.has(name) && position !== 'receiver' && position !== 'returned')
      fail(`${name}, an array the code grows, escapes`);
  }

  private member(e: AstNode, scope: Scope, called: boolean): void {
    const object = node(e.object)!;
    const name = memberName(e);
    if (name === undefined) fail('a read of a computed key');
    if (forbidden(name!)) fail(`uses .${name}`);
    if (called ? UNCALLABLE.has(name!) : UNHOLDABLE.has(name!))
      fail(`${called ? 'calls' : 'holds'} .${name}`);
    if (object.type === 'Identifier') {
      const base = object.name as string;
      if (scope.growable.has(base)) {
        if (!GROWABLE_METHODS.has(name!) && !/^\d+$/.test(name!))
          fail(`${base}.${name} may alias an array the code grows`);
        return;
      }
      const global = GLOBALS[base];
      if (global !== undefined && !this.topLevel.has(base) && !this.imports.has(base)) {
        if (global !== 'any' && !global.has(name!)) fail(`uses ${base}.${name}`);
        // Object.assign writes into its first argument; the call checks which.
        if (base === 'Object' && name === 'assign' && !called) fail('uses Object.assign as a value');
        return;
      }
    }
    this.expression(object, scope, 'receiver');
  }

  private call(e: AstNode, scope: Scope): void {
    const callee = node(e.callee)!;
    const args = e.arguments as AstNode[];
    if (callee.type === 'Identifier') {
      const name = callee.name as string;
      if (this.functions.has(name)) scope.calls.add(name);
      else if (this.imports.has(name) ? UNCALLABLE.has(name) : GLOBALS[name] !== 'any') fail(`calls ${name}`);
      for (const a of args) this.expression(a, scope);
      return;
    }
    if (callee.type !== 'MemberExpression') return fail('a call of a computed function');
    this.member(callee, scope, true);
    const method = memberName(callee)!;
    const receiver = node(callee.object)!;
    const receiverName = receiver.type === 'Identifier' ? (receiver.name as string) : undefined;
    // Object.assign writes into its first argument: only a fresh object literal, which no for-of walks.
    if (receiverName === 'Object' && method === 'assign' && node(args[0])?.type !== 'ObjectExpression')
      fail('Object.assign into an existing value');
    if (GROWING.has(method) && !(receiverName && scope.growable.has(receiverName)))
      fail(`.${method} on a value other than a local array`);
    // A callback method's second argument is `thisArg` (reduce's is the initial value).
    const extra = method === 'reduce' || method === 'reduceRight' ? 2 : 1;
    if (CALLBACK_METHODS.has(method) && args.length > extra) fail(`.${method} with a thisArg`);
    if (receiverName === 'JSON' && args.length > 1 && !isPlainArgument(node(args[1])))
      fail(`JSON.${method} with a replacer or reviver`);
    args.forEach((a, index) => {
      if (!isFunction(a)) return this.expression(a, scope);
      if (!CALLBACK_METHODS.has(method) || index !== 0) fail(`passes a function to .${method}`);
      this.callback(a, scope);
    });
  }

  /** An inline callback belongs to the enclosing function: its calls and its growable arrays. */
  private callback(fn: AstNode, scope: Scope): void {
    if (fn.async || fn.generator) fail('an async or generator callback');
    if (fn.type === 'FunctionExpression' && fn.id) fail('a named function expression');
    for (const p of fn.params as AstNode[]) this.pattern(p, scope);
    scope.callbackDepth += 1;
    this.functionBody(fn, scope);
    scope.callbackDepth -= 1;
  }

  private rejectCycles(): void {
    const state = new Map<string, 'visiting' | 'done'>();
    const visit = (name: string, path: readonly string[]): void => {
      if (state.get(name) === 'done') return;
      if (state.get(name) === 'visiting') fail(`recursion: ${[...path, name].join(' → ')}`);
      state.set(name, 'visiting');
      for (const next of this.callGraph.get(name) ?? []) visit(next, [...path, name]);
      state.set(name, 'done');
    };
    for (const name of this.callGraph.keys()) visit(name, []);
  }
}

/** `null`, a number or a string: what JSON.stringify's second argument may be besides a function. */
function isPlainArgument(n: AstNode | undefined): boolean {
  return n?.type === 'Literal' && !n.regex;
}

/** Whether `code` (an ESM resolver bundle) is proven to halt; the module comment gives the rules. */
export function provenBounded(code: string): BoundedVerdict {
  let program: AstNode;
  try {
    program = parse(code, { ecmaVersion: 'latest', sourceType: 'module' }) as unknown as AstNode;
  } catch (error) {
    return { bounded: false, reason: `does not parse: ${(error as Error).message}` };
  }
  try {
    new Checker().check(program);
    return { bounded: true };
  } catch (error) {
    if (error instanceof NotProven) return { bounded: false, reason: error.message };
    throw error;
  }
}
