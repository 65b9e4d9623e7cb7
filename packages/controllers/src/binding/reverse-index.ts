/**
 * A many-to-many index from objects to the keys they point at, answering the
 * reverse question — which bindings read this template, this ConfigMap, own
 * this Work — without scanning. Each object's values are replaced as a
 * whole, so a stale pointer never lingers after the object changes.
 */
export class ReverseIndex {
  #values = new Map<string, string[]>();
  #objects = new Map<string, Set<string>>();

  /** Replaces what `object` points at; an empty list forgets it. */
  set(object: string, values: readonly string[]): void {
    this.delete(object);
    if (values.length === 0) return;
    this.#values.set(object, [...values]);
    for (const value of values) {
      let objects = this.#objects.get(value);
      if (!objects) {
        objects = new Set();
        this.#objects.set(value, objects);
      }
      objects.add(object);
    }
  }

  delete(object: string): void {
    for (const value of this.#values.get(object) ?? []) {
      const objects = this.#objects.get(value);
      objects?.delete(object);
      if (objects?.size === 0) this.#objects.delete(value);
    }
    this.#values.delete(object);
  }

  /** The objects pointing at `value`. */
  objectsOf(value: string): string[] {
    return [...(this.#objects.get(value) ?? [])];
  }

  /** What `object` points at. */
  valuesOf(object: string): readonly string[] {
    return this.#values.get(object) ?? [];
  }
}
