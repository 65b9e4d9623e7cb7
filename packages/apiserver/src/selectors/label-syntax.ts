import {
  InvalidRequirementError,
  type LabelOperator,
  type LabelRequirement,
  newRequirement,
} from "./label-requirement.ts";
import { invalidValueText, labelKeyErrors } from "./label-validation.ts";

/**
 * The grammar of the `labelSelector` query parameter, following apimachinery's
 * `labels.Parse` token for token so that what it accepts, what it rejects and
 * the words of its errors match kube-apiserver:
 *
 *   selector    ::= requirement ( "," requirement )*
 *   requirement ::= [ "!" ] KEY [ ( "in" | "notin" ) "(" VALUES ")" | ( "=" | "==" | "!=" | ">" | "<" ) VALUE ]
 */

type TokenKind =
  | "error"
  | "end"
  | "identifier"
  | ")"
  | ","
  | "!"
  | "=="
  | "="
  | ">"
  | "in"
  | "<"
  | "!="
  | "notin"
  | "(";
type Token = { kind: TokenKind; literal: string };

const LITERAL_TOKENS = new Map<string, TokenKind>([
  [")", ")"],
  [",", ","],
  ["!", "!"],
  ["==", "=="],
  ["=", "="],
  [">", ">"],
  ["in", "in"],
  ["<", "<"],
  ["!=", "!="],
  ["notin", "notin"],
  ["(", "("],
]);
const SPECIAL = new Set(["=", "!", "(", ")", ",", ">", "<"]);
const WHITESPACE = new Set([" ", "\t", "\r", "\n"]);
/** Go's lexer reads a NUL byte both at the end of input and for a literal NUL; both end the input. */
const END = "\0";

/** Operators listed in "expected:" errors, in apimachinery's order. */
const BINARY_OPERATORS = "in, notin, =, ==, !=, gt, lt";

class Lexer {
  readonly #text: string;
  #pos = 0;
  constructor(text: string) {
    this.#text = text;
  }

  #read(): string {
    if (this.#pos < this.#text.length) return this.#text[this.#pos++];
    return END;
  }

  #unread(): void {
    this.#pos--;
  }

  #identifierOrKeyword(): Token {
    let buffer = "";
    for (;;) {
      const ch = this.#read();
      if (ch === END) break;
      if (SPECIAL.has(ch) || WHITESPACE.has(ch)) {
        this.#unread();
        break;
      }
      buffer += ch;
    }
    return { kind: LITERAL_TOKENS.get(buffer) ?? "identifier", literal: buffer };
  }

  #specialSymbol(): Token {
    let buffer = "";
    let last: Token | undefined;
    for (;;) {
      const ch = this.#read();
      if (ch === END) break;
      if (!SPECIAL.has(ch)) {
        this.#unread();
        break;
      }
      buffer += ch;
      const kind = LITERAL_TOKENS.get(buffer);
      if (kind) last = { kind, literal: buffer };
      else if (last) {
        this.#unread();
        break;
      }
    }
    return last ?? { kind: "error", literal: `error expected: keyword found '${buffer}'` };
  }

  next(): Token {
    let ch = this.#read();
    while (WHITESPACE.has(ch)) ch = this.#read();
    if (ch === END) return { kind: "end", literal: "" };
    this.#unread();
    return SPECIAL.has(ch) ? this.#specialSymbol() : this.#identifierOrKeyword();
  }
}

/** Raised for text that is not a selector; `message` is apimachinery's wording. */
class SyntaxFailure extends Error {}

/** In a value position, the keywords `in` and `notin` are plain identifiers. */
type Context = "keyAndOperator" | "values";

class Parser {
  readonly #tokens: Token[] = [];
  #pos = 0;

  constructor(text: string) {
    const lexer = new Lexer(text);
    for (;;) {
      const token = lexer.next();
      this.#tokens.push(token);
      if (token.kind === "end") break;
    }
  }

  #at(index: number, context: Context): Token {
    const token = this.#tokens[Math.min(index, this.#tokens.length - 1)];
    if (context === "values" && (token.kind === "in" || token.kind === "notin")) {
      return { kind: "identifier", literal: token.literal };
    }
    return token;
  }

  #lookahead(context: Context): Token {
    return this.#at(this.#pos, context);
  }

  #consume(context: Context): Token {
    return this.#at(this.#pos++, context);
  }

  parse(): LabelRequirement[] {
    const requirements: LabelRequirement[] = [];
    for (;;) {
      const token = this.#lookahead("values");
      if (token.kind === "end") return requirements;
      if (token.kind !== "identifier" && token.kind !== "!") {
        throw new SyntaxFailure(`found '${token.literal}', expected: !, identifier, or 'end of string'`);
      }
      try {
        requirements.push(this.#requirement());
      } catch (error) {
        if (error instanceof SyntaxFailure || error instanceof InvalidRequirementError) {
          throw new SyntaxFailure(`unable to parse requirement: ${error.message}`);
        }
        throw error;
      }
      const after = this.#consume("values");
      if (after.kind === "end") return requirements;
      if (after.kind !== ",")
        throw new SyntaxFailure(`found '${after.literal}', expected: ',' or 'end of string'`);
      const next = this.#lookahead("values");
      if (next.kind !== "identifier" && next.kind !== "!") {
        throw new SyntaxFailure(`found '${next.literal}', expected: identifier after ','`);
      }
    }
  }

  #requirement(): LabelRequirement {
    let token = this.#consume("values");
    const negated = token.kind === "!";
    if (negated) token = this.#consume("values");
    if (token.kind !== "identifier")
      throw new SyntaxFailure(`found '${token.literal}', expected: identifier`);
    const key = token.literal;
    const keyErrors = labelKeyErrors(key);
    // Go validates the key against a nil field path here, which prints as "<nil>".
    if (keyErrors.length > 0) throw new SyntaxFailure(invalidValueText("<nil>", key, keyErrors.join("; ")));
    const next = this.#lookahead("values").kind;
    if (negated) return newRequirement(key, "!", []);
    if (next === "end" || next === ",") return newRequirement(key, "exists", []);
    const operator = this.#operator();
    const values = operator === "in" || operator === "notin" ? this.#valueSet() : this.#exactValue();
    return newRequirement(key, operator, [...values].sort());
  }

  #operator(): LabelOperator {
    const token = this.#consume("keyAndOperator");
    switch (token.kind) {
      case "in":
      case "notin":
      case "=":
      case "==":
      case "!=":
        return token.kind;
      case ">":
        return "gt";
      case "<":
        return "lt";
      default:
        throw new SyntaxFailure(`found '${token.literal}', expected: ${BINARY_OPERATORS}`);
    }
  }

  #valueSet(): Set<string> {
    const open = this.#consume("values");
    if (open.kind !== "(") throw new SyntaxFailure(`found '${open.literal}' expected: '('`);
    const first = this.#lookahead("values");
    if (first.kind === ")") {
      this.#consume("values");
      return new Set([""]);
    }
    if (first.kind !== "identifier" && first.kind !== ",") {
      throw new SyntaxFailure(`found '${first.literal}', expected: ',', ')' or identifier`);
    }
    const values = this.#identifierList();
    if (this.#consume("values").kind !== ")")
      throw new SyntaxFailure(`found '${first.literal}', expected: ')'`);
    return values;
  }

  /** A comma-separated list in which empty entries stand for the empty value, as in `(a,,b)` or `(,)`. */
  #identifierList(): Set<string> {
    const values = new Set<string>();
    for (;;) {
      const token = this.#consume("values");
      if (token.kind === "identifier") {
        values.add(token.literal);
        const after = this.#lookahead("values");
        if (after.kind === ",") continue;
        if (after.kind === ")") return values;
        throw new SyntaxFailure(`found '${after.literal}', expected: ',' or ')'`);
      }
      if (token.kind !== ",")
        throw new SyntaxFailure(`found '${token.literal}', expected: ',', or identifier`);
      if (values.size === 0) values.add("");
      const after = this.#lookahead("values").kind;
      if (after === ")") {
        values.add("");
        return values;
      }
      if (after === ",") values.add("");
    }
  }

  #exactValue(): Set<string> {
    const next = this.#lookahead("values");
    if (next.kind === "end" || next.kind === ",") return new Set([""]);
    const token = this.#consume("values");
    if (token.kind === "identifier") return new Set([token.literal]);
    throw new SyntaxFailure(`found '${token.literal}', expected: identifier`);
  }
}

/**
 * Parses selector text into requirements sorted by key (stable), or throws an
 * Error whose message is what apimachinery's `labels.Parse` would say.
 */
export function parseRequirements(text: string): LabelRequirement[] {
  const requirements = new Parser(text).parse();
  return requirements.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
