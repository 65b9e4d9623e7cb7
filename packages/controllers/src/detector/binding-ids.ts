/**
 * The permanent ids of the bindings the detector has seen, by template key
 * and back. A deleting template needs its binding's id after the binding is
 * gone (to find the Works still carrying it), and a Work's deletion must find
 * the template waiting for it without a scan.
 */
export class BindingIds {
  #byTemplate = new Map<string, string>();
  #byId = new Map<string, string>();

  set(templateKey: string, id: string): void {
    const previous = this.#byTemplate.get(templateKey);
    if (previous === id) return;
    if (previous !== undefined) this.#byId.delete(previous);
    this.#byTemplate.set(templateKey, id);
    this.#byId.set(id, templateKey);
  }

  get(templateKey: string): string | undefined {
    return this.#byTemplate.get(templateKey);
  }

  /** The template whose binding had this id. */
  templateOf(id: string): string | undefined {
    return this.#byId.get(id);
  }

  delete(templateKey: string): void {
    const id = this.#byTemplate.get(templateKey);
    if (id !== undefined) this.#byId.delete(id);
    this.#byTemplate.delete(templateKey);
  }
}
