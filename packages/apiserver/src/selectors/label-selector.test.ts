import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { StatusError } from "../api/errors.ts";
import { fromLabelSelectorObject, labelSelectorFromSet, parseLabelSelector } from "./label-selector.ts";

const KEY_RULE =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const VALUE_RULE =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

function rejects(text: string, message: string): void {
  assert.throws(
    () => parseLabelSelector(text),
    (error: unknown) => {
      assert.ok(error instanceof StatusError);
      assert.equal(error.reason, "BadRequest");
      assert.equal(error.code, 400);
      assert.equal(error.message, message);
      return true;
    },
    `selector ${JSON.stringify(text)}`,
  );
}

describe("parseLabelSelector: accepted syntax and canonical text", () => {
  const cases: [input: string, canonical: string][] = [
    ["", ""],
    ["   ", ""],
    ["app=web", "app=web"],
    ["app==web", "app==web"],
    ["app!=web", "app!=web"],
    ["app", "app"],
    ["!app", "!app"],
    ["! app", "!app"],
    ["app in (web,api)", "app in (api,web)"],
    ["app in(web, api, web)", "app in (api,web)"],
    ["app notin (web)", "app notin (web)"],
    ["tier=front,app=web", "app=web,tier=front"],
    ["  app = web ,  tier != back ", "app=web,tier!=back"],
    ["app=", "app="],
    ["app=,tier", "app=,tier"],
    ["x in (foo,,baz),y,z notin ()", "x in (,baz,foo),y,z notin ()"],
    ["x in (,)", "x in ()"],
    ["example.com/app=web", "example.com/app=web"],
    ["in=notin", "in=notin"],
    ["a in (in,notin)", "a in (in,notin)"],
    ["replicas>3", "replicas>3"],
    ["replicas < 2", "replicas<2"],
    // Like Go's lexer, a NUL where a token should start ends the input.
    ["a=b \0 garbage(", "a=b"],
  ];
  for (const [input, canonical] of cases) {
    test(JSON.stringify(input), () => {
      assert.equal(parseLabelSelector(input).toString(), canonical);
    });
  }

  test("empty selectors select everything", () => {
    const selector = parseLabelSelector("");
    assert.equal(selector.empty, true);
    assert.equal(selector.matches(undefined), true);
    assert.equal(selector.matches({ a: "b" }), true);
  });

  test("requirements are exposed sorted by key with sorted unique values", () => {
    assert.deepEqual(parseLabelSelector("z,b in (y,x,y),a!=1").requirements, [
      { key: "a", operator: "!=", values: ["1"] },
      { key: "b", operator: "in", values: ["x", "y"] },
      { key: "z", operator: "exists", values: [] },
    ]);
  });
});

describe("parseLabelSelector: matching", () => {
  const labels = { app: "web", tier: "front", replicas: "5" };
  const cases: [selector: string, expected: boolean][] = [
    ["app=web", true],
    ["app==web", true],
    ["app=api", false],
    ["app!=api", true],
    ["app!=web", false],
    ["missing!=x", true],
    ["app in (api,web)", true],
    ["app in (api)", false],
    ["missing in (x)", false],
    ["app notin (api)", true],
    ["app notin (web)", false],
    ["missing notin (x)", true],
    ["app", true],
    ["missing", false],
    ["!missing", true],
    ["!app", false],
    ["app=web,tier=front", true],
    ["app=web,tier=back", false],
    ["replicas>4", true],
    ["replicas>5", false],
    ["replicas<6", true],
    ["app>1", false],
    ["missing<1", false],
    ["app=", false],
    ["missing=", false],
  ];
  for (const [selector, expected] of cases) {
    test(`${selector} → ${expected}`, () => {
      assert.equal(parseLabelSelector(selector).matches(labels), expected);
    });
  }

  test("an object without labels matches only negative requirements", () => {
    assert.equal(parseLabelSelector("!app,app notin (x),app!=y").matches(undefined), true);
    assert.equal(parseLabelSelector("app").matches(undefined), false);
  });

  test("inherited object properties are not labels", () => {
    assert.equal(parseLabelSelector("toString").matches({}), false);
    assert.equal(parseLabelSelector("constructor!=x").matches({}), true);
  });

  test("requiresExactMatch reports pinned values", () => {
    const selector = parseLabelSelector("app=web,tier in (front),zone in (a,b),x!=y");
    assert.equal(selector.requiresExactMatch("app"), "web");
    assert.equal(selector.requiresExactMatch("tier"), "front");
    assert.equal(selector.requiresExactMatch("zone"), undefined);
    assert.equal(selector.requiresExactMatch("x"), undefined);
    assert.equal(selector.requiresExactMatch("missing"), undefined);
  });
});

describe("parseLabelSelector: malformed input is a BadRequest worded like kube-apiserver", () => {
  test("syntax errors", () => {
    rejects(",", "found ',', expected: !, identifier, or 'end of string'");
    rejects("=web", "found '=', expected: !, identifier, or 'end of string'");
    rejects("app=web,", "found '', expected: identifier after ','");
    rejects("app=web,,tier", "found ',', expected: identifier after ','");
    rejects("app=web tier=x", "found 'tier', expected: ',' or 'end of string'");
    rejects("app=(web)", "unable to parse requirement: found '(', expected: identifier");
    rejects("app web", "unable to parse requirement: found 'web', expected: in, notin, =, ==, !=, gt, lt");
    rejects("app in web", "unable to parse requirement: found 'web' expected: '('");
    rejects("app in (web", "unable to parse requirement: found '', expected: ',' or ')'");
    rejects("app in (a b)", "unable to parse requirement: found 'b', expected: ',' or ')'");
    rejects("app in (=)", "unable to parse requirement: found '=', expected: ',', ')' or identifier");
    rejects("app in (a,=)", "unable to parse requirement: found '=', expected: ',', or identifier");
    rejects("app notin", "unable to parse requirement: found '' expected: '('");
    rejects("!", "unable to parse requirement: found '', expected: identifier");
    rejects("!=web", "found '!=', expected: !, identifier, or 'end of string'");
    rejects("!app=web", "found '=', expected: ',' or 'end of string'");
    rejects("app=web=x", "found '=', expected: ',' or 'end of string'");
  });

  test("invalid keys", () => {
    rejects("-app=web", `unable to parse requirement: <nil>: Invalid value: "-app": ${KEY_RULE}`);
    rejects(
      "a/b/c",
      "unable to parse requirement: <nil>: Invalid value: \"a/b/c\": a valid label key must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
    );
    rejects(
      "/app",
      'unable to parse requirement: <nil>: Invalid value: "/app": prefix part must be non-empty',
    );
    rejects(
      "app/",
      `unable to parse requirement: <nil>: Invalid value: "app/": name part must be non-empty; ${KEY_RULE}`,
    );
    rejects(
      "Example.com/app",
      "unable to parse requirement: <nil>: Invalid value: \"Example.com/app\": prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
    );
    const long = "k".repeat(64);
    rejects(
      long,
      `unable to parse requirement: <nil>: Invalid value: "${long}": name part must be no more than 63 bytes`,
    );
    assert.equal(parseLabelSelector("k".repeat(63)).requirements[0].key.length, 63);
  });

  test("invalid values", () => {
    rejects("app=-web", `unable to parse requirement: values[0][app]: Invalid value: "-web": ${VALUE_RULE}`);
    rejects(
      "app in (ok,b@d)",
      `unable to parse requirement: values[0][app]: Invalid value: "b@d": ${VALUE_RULE}`,
    );
    const long = "v".repeat(64);
    rejects(
      `app=${long}`,
      `unable to parse requirement: values[0][app]: Invalid value: "${long}": must be no more than 63 bytes`,
    );
    rejects(
      "app=caf\u00e9",
      `unable to parse requirement: values[0][app]: Invalid value: "café": ${VALUE_RULE}`,
    );
    rejects(
      "app=a\u0001b",
      `unable to parse requirement: values[0][app]: Invalid value: "a\\x01b": ${VALUE_RULE}`,
    );
  });

  test("gt and lt need an integer that is also a label value", () => {
    rejects(
      "replicas<-2",
      `unable to parse requirement: values[0][replicas]: Invalid value: "-2": ${VALUE_RULE}`,
    );
    rejects(
      "replicas>many",
      "unable to parse requirement: values[0]: Invalid value: \"many\": for 'Gt', 'Lt' operators, the value must be an integer",
    );
    rejects(
      "replicas>_",
      `unable to parse requirement: [values[0]: Invalid value: "_": for 'Gt', 'Lt' operators, the value must be an integer, values[0][replicas]: Invalid value: "_": ${VALUE_RULE}]`,
    );
  });
});

describe("fromLabelSelectorObject", () => {
  test("null selects nothing, {} selects everything", () => {
    const nothing = fromLabelSelectorObject(null);
    assert.equal(nothing.matches({}), false);
    assert.equal(nothing.empty, false);
    assert.equal(nothing.toString(), "");
    const all = fromLabelSelectorObject({});
    assert.equal(all.matches(undefined), true);
    assert.equal(all.empty, true);
  });

  test("matchLabels and matchExpressions are ANDed and printed canonically", () => {
    const selector = fromLabelSelectorObject({
      matchLabels: { tier: "front", app: "web" },
      matchExpressions: [
        { key: "env", operator: "In", values: ["prod", "dev"] },
        { key: "legacy", operator: "DoesNotExist" },
        { key: "zone", operator: "NotIn", values: ["b"] },
        { key: "team", operator: "Exists" },
      ],
    });
    assert.equal(selector.toString(), "app=web,env in (dev,prod),!legacy,team,tier=front,zone notin (b)");
    assert.equal(selector.matches({ app: "web", tier: "front", env: "dev", team: "x" }), true);
    assert.equal(selector.matches({ app: "web", tier: "front", env: "dev", team: "x", legacy: "" }), false);
    assert.equal(selector.matches({ app: "web", tier: "front", env: "qa", team: "x" }), false);
    assert.equal(selector.matches({ app: "web", tier: "front", env: "dev", team: "x", zone: "b" }), false);
  });

  test("rejects what metav1.LabelSelectorAsSelector rejects", () => {
    const rejected = (selector: Parameters<typeof fromLabelSelectorObject>[0], message: string) =>
      assert.throws(
        () => fromLabelSelectorObject(selector),
        (error: unknown) =>
          error instanceof StatusError && error.reason === "BadRequest" && error.message === message,
      );
    rejected(
      { matchExpressions: [{ key: "a", operator: "Equals", values: ["b"] }] },
      '"Equals" is not a valid label selector operator',
    );
    rejected(
      { matchExpressions: [{ key: "a", operator: "In", values: [] }] },
      "values: Invalid value: []string(nil): for 'in', 'notin' operators, values set can't be empty",
    );
    rejected(
      { matchExpressions: [{ key: "a", operator: "Exists", values: ["x", "y"] }] },
      'values: Invalid value: []string{"x", "y"}: values set must be empty for exists and does not exist',
    );
    rejected({ matchLabels: { app: "a b" } }, `values[0][app]: Invalid value: "a b": ${VALUE_RULE}`);
    rejected({ matchLabels: { "-app": "x" } }, `key: Invalid value: "-app": ${KEY_RULE}`);
  });
});

test("labelSelectorFromSet requires every label", () => {
  const selector = labelSelectorFromSet({ tier: "front", app: "web" });
  assert.equal(selector.toString(), "app=web,tier=front");
  assert.equal(selector.matches({ app: "web", tier: "front", extra: "x" }), true);
  assert.equal(selector.matches({ app: "web" }), false);
  assert.equal(labelSelectorFromSet({}).empty, true);
  assert.equal(labelSelectorFromSet(undefined).matches(undefined), true);
});
