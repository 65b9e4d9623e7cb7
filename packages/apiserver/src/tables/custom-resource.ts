import type { PrinterColumn } from "../resources/resource-type.ts";
import { CREATION_TIMESTAMP_DESCRIPTION, NAME } from "./columns.ts";
import { humanDuration } from "./human-duration.ts";
import { type JsonPath, parseJsonPath } from "./jsonpath.ts";
import type { KubeObject } from "./kube-types.ts";
import type { Printer, TableCell, TableColumnDefinition } from "./table.ts";

/** What a CRD without `additionalPrinterColumns` shows, besides the name. */
const DEFAULT_COLUMNS: readonly PrinterColumn[] = [
  {
    name: "Age",
    type: "date",
    description: CREATION_TIMESTAMP_DESCRIPTION,
    jsonPath: ".metadata.creationTimestamp",
  },
];

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** A float as Go's `%v` prints a float64; integral numbers as the int64 JSON decoding would make them. */
function goNumber(value: number): string {
  if (Number.isInteger(value) || !Number.isFinite(value)) return String(value);
  const [mantissa, exponent] = value.toExponential().split("e");
  const exp = Number(exponent);
  if (exp >= -4 && exp < 6) return String(value);
  const digits = String(Math.abs(exp)).padStart(2, "0");
  return `${mantissa}e${exp < 0 ? "-" : "+"}${digits}`;
}

/** JSON as Go's encoding/json writes it: object keys sorted, HTML characters escaped. */
function goJson(value: unknown): string {
  const sorted = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sorted);
    if (v !== null && typeof v === "object") {
      const record = v as Record<string, unknown>;
      return Object.fromEntries(
        Object.keys(record)
          .sort()
          .map((key) => [key, sorted(record[key])]),
      );
    }
    return v;
  };
  const escapes: Record<string, string> = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
  };
  return JSON.stringify(sorted(value)).replace(/[<>&\u2028\u2029]/g, (ch) => escapes[ch]);
}

/** A `string` column shows any value: scalars as text, objects and arrays as JSON. */
function asText(value: unknown): TableCell {
  if (typeof value === "string") return value;
  if (typeof value === "number") return goNumber(value);
  if (typeof value === "boolean") return String(value);
  if (value !== null && typeof value === "object") return goJson(value);
  return null;
}

/** Other column types accept only matching JSON values; anything else is an empty (null) cell. */
function typedCell(type: PrinterColumn["type"], value: unknown, now: Date): TableCell {
  switch (type) {
    case "string":
      return asText(value);
    case "integer":
      return typeof value === "number" ? Math.trunc(value) : null;
    case "number":
      return typeof value === "number" ? value : null;
    case "boolean":
      return typeof value === "boolean" ? value : null;
    case "date": {
      if (typeof value !== "string") return null;
      if (value === "" || value === "null") return "<unknown>";
      if (!RFC3339.test(value)) return "<invalid>";
      return humanDuration(now.getTime() - Date.parse(value));
    }
  }
}

type CompiledColumn = { definition: TableColumnDefinition; path: JsonPath | undefined };

function compile(column: PrinterColumn): CompiledColumn {
  let path: JsonPath | undefined;
  try {
    path = parseJsonPath(column.jsonPath);
  } catch {
    path = undefined; // Such a CRD would have been rejected; its cells stay empty.
  }
  return {
    definition: {
      name: column.name,
      type: column.type,
      format: column.format ?? "",
      description:
        column.description || `Custom resource definition column (in JSONPath format): ${column.jsonPath}`,
      priority: column.priority ?? 0,
    },
    path,
  };
}

/**
 * The printer kube-apiserver builds for a custom resource: Name, then each
 * `additionalPrinterColumns` entry (an Age column when there are none), each
 * cell the first value its JSONPath finds, typed as the column says.
 */
export function customResourcePrinter(printerColumns: readonly PrinterColumn[]): Printer {
  const columns = (printerColumns.length > 0 ? printerColumns : DEFAULT_COLUMNS).map(compile);
  return {
    columns: [NAME, ...columns.map((c) => c.definition)],
    print(obj, { now }) {
      const cells = columns.map(({ definition, path }): TableCell => {
        const found = path?.evaluate(obj) ?? [];
        return found.length === 0 ? null : typedCell(definition.type as PrinterColumn["type"], found[0], now);
      });
      return { cells: [(obj as KubeObject).metadata?.name ?? "", ...cells] };
    },
  };
}
