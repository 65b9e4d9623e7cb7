/**
 * A reader for the declaration files of the `kubernetes-types` package, used
 * only by the shape generator at development time. It understands exactly the
 * subset of TypeScript those files use: `import { A } from "../x/v1"`,
 * `export interface N { field?: T; }` and `export type N = T;`, where T is a
 * primitive, a string literal, `number | string`, `Array<T>`, `{ [name: string]: T }`
 * or a named type.
 */

/** A type as written in a declaration file; `ref.module` is the package folder, e.g. "core/v1". */
export type TsType =
  | { kind: "primitive"; name: "string" | "number" | "boolean" }
  | { kind: "literal"; value: string }
  | { kind: "union"; members: readonly TsType[] }
  | { kind: "array"; items: TsType }
  | { kind: "map"; values: TsType }
  | { kind: "ref"; module: string; name: string };

export type TsField = { name: string; optional: boolean; type: TsType };

export type TsDeclaration =
  | { kind: "interface"; module: string; name: string; fields: readonly TsField[] }
  | { kind: "alias"; module: string; name: string; type: TsType };

const PRIMITIVES = new Set(["string", "number", "boolean"]);

/** Parses one declaration file; `module` is its folder-relative name without extension ("core/v1", "runtime"). */
export function readDeclarations(module: string, source: string): TsDeclaration[] {
  const text = source.replace(/\/\*[\s\S]*?\*\//g, "");
  const imports = new Map<string, string>();
  for (const match of text.matchAll(/import\s*\{([^}]*)\}\s*from\s*"([^"]+)";/g)) {
    const target = resolveModule(module, match[2]);
    for (const name of match[1].split(",")) imports.set(name.trim(), target);
  }
  const refModule = (name: string) => imports.get(name) ?? module;
  const declarations: TsDeclaration[] = [];
  const body = text.replace(/import\s*\{[^}]*\}\s*from\s*"[^"]+";/g, "");
  const cursor = new Cursor(body);
  while (!cursor.done()) {
    cursor.expectWord("export");
    const keyword = cursor.word();
    const name = cursor.word();
    if (keyword === "interface") {
      declarations.push({ kind: "interface", module, name, fields: readFields(cursor, refModule) });
    } else if (keyword === "type") {
      cursor.expect("=");
      declarations.push({ kind: "alias", module, name, type: readType(cursor, refModule) });
      cursor.expect(";");
    } else {
      throw new Error(`${module}: unexpected declaration "${keyword}"`);
    }
  }
  return declarations;
}

function resolveModule(from: string, specifier: string): string {
  const parts = from.split("/").slice(0, -1);
  for (const segment of specifier.split("/")) {
    if (segment === "..") parts.pop();
    else if (segment !== ".") parts.push(segment);
  }
  return parts.join("/");
}

function readFields(cursor: Cursor, refModule: (name: string) => string): TsField[] {
  const fields: TsField[] = [];
  cursor.expect("{");
  while (!cursor.consume("}")) {
    let name = cursor.consumeString() ?? cursor.word();
    if (name === "readonly" && !cursor.peek(":") && !cursor.peek("?"))
      name = cursor.consumeString() ?? cursor.word();
    const optional = cursor.consume("?");
    cursor.expect(":");
    fields.push({ name, optional, type: readType(cursor, refModule) });
    cursor.expect(";");
  }
  return fields;
}

function readType(cursor: Cursor, refModule: (name: string) => string): TsType {
  const members = [readSingleType(cursor, refModule)];
  while (cursor.consume("|")) members.push(readSingleType(cursor, refModule));
  return members.length === 1 ? members[0] : { kind: "union", members };
}

function readSingleType(cursor: Cursor, refModule: (name: string) => string): TsType {
  const literal = cursor.consumeString();
  if (literal !== undefined) return { kind: "literal", value: literal };
  if (cursor.consume("{")) {
    cursor.expect("[");
    cursor.word();
    cursor.expect(":");
    cursor.expectWord("string");
    cursor.expect("]");
    cursor.expect(":");
    const values = readType(cursor, refModule);
    cursor.expect(";");
    cursor.expect("}");
    return { kind: "map", values };
  }
  const name = cursor.word();
  let type: TsType;
  if (name === "Array") {
    cursor.expect("<");
    type = { kind: "array", items: readType(cursor, refModule) };
    cursor.expect(">");
  } else if (PRIMITIVES.has(name)) {
    type = { kind: "primitive", name: name as "string" | "number" | "boolean" };
  } else {
    type = { kind: "ref", module: refModule(name), name };
  }
  while (cursor.consume("[")) {
    cursor.expect("]");
    type = { kind: "array", items: type };
  }
  return type;
}

class Cursor {
  readonly #text: string;
  #at = 0;
  constructor(text: string) {
    this.#text = text;
    this.#skip();
  }
  done(): boolean {
    return this.#at >= this.#text.length;
  }
  peek(token: string): boolean {
    return this.#text.startsWith(token, this.#at);
  }
  consume(token: string): boolean {
    if (!this.peek(token)) return false;
    this.#at += token.length;
    this.#skip();
    return true;
  }
  expect(token: string): void {
    if (!this.consume(token)) throw this.#error(`expected "${token}"`);
  }
  word(): string {
    const match = /^[A-Za-z_$][\w$]*/.exec(this.#text.slice(this.#at, this.#at + 200));
    if (!match) throw this.#error("expected a name");
    this.#at += match[0].length;
    this.#skip();
    return match[0];
  }
  expectWord(word: string): void {
    const found = this.word();
    if (found !== word) throw this.#error(`expected "${word}", found "${found}"`);
  }
  consumeString(): string | undefined {
    const match = /^"([^"]*)"/.exec(this.#text.slice(this.#at, this.#at + 200));
    if (!match) return undefined;
    this.#at += match[0].length;
    this.#skip();
    return match[1];
  }
  #skip(): void {
    while (this.#at < this.#text.length && /\s/.test(this.#text[this.#at])) this.#at++;
  }
  #error(what: string): Error {
    return new Error(`${what} at: ${JSON.stringify(this.#text.slice(this.#at, this.#at + 60))}`);
  }
}
