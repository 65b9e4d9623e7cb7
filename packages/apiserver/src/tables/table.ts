/** Wire types of `meta.k8s.io/v1` Table, the server-side printing kubectl asks for with `as=Table`. */

/** A cell: strings, integers, numbers, booleans, or null for a value that is absent. */
export type TableCell = string | number | boolean | null;

/** A column. Every field is always present on the wire, even when empty or zero. */
export type TableColumnDefinition = {
  name: string;
  /** An OpenAPI type: string, integer, number, boolean, date. */
  type: string;
  /** An OpenAPI format hint; "name" marks the column holding the object's name. */
  format: string;
  description: string;
  /** 0 shows by default; higher shows only with `-o wide`. */
  priority: number;
};

/** Set on a row to say, for example, that a pod has completed (kubectl may hide such rows). */
export type TableRowCondition = {
  type: string;
  status: "True" | "False" | "Unknown";
  reason?: string;
  message?: string;
};

export type TableRow = {
  cells: TableCell[];
  conditions?: TableRowCondition[];
  /** The object, its PartialObjectMetadata, or absent, as `includeObject` asks. */
  object?: object;
};

export type TableListMeta = { resourceVersion?: string; continue?: string; remainingItemCount?: number };

export type Table = {
  kind: "Table";
  apiVersion: "meta.k8s.io/v1";
  metadata: TableListMeta;
  columnDefinitions: TableColumnDefinition[];
  rows: TableRow[];
};

/** How much of each object a row carries: nothing, its metadata (the Kubernetes default), or all of it. */
export type IncludeObject = "None" | "Metadata" | "Object";

/** What a printer needs besides the object: the time ages are measured to. */
export type PrintContext = { now: Date };

/** One object's cells, in the order of the printer's columns, with any row conditions. */
export type PrintedRow = { cells: TableCell[]; conditions?: TableRowCondition[] };

/** Turns objects of one kind into rows under fixed columns. */
export interface Printer {
  readonly columns: readonly TableColumnDefinition[];
  print(obj: object, context: PrintContext): PrintedRow;
}
