import type {
  DeleteOptions,
  KubeClient,
  ListOptions,
  ListResult,
  PatchOptions,
  PatchType,
  ResourceId,
  WatchHandlers,
  WriteOptions,
} from "@atoll/kube/client";
import { StatusError } from "./api/errors.ts";
import type { KubeObject } from "./api/object.ts";
import { Query } from "./http/query.ts";
import { selectorCompiler } from "./http/selector-compiler.ts";
import { deleteObject } from "./registry/deletion.ts";
import { listPrefix, resourcePrefix } from "./registry/keys.ts";
import { listObjects, parseRevision } from "./registry/list.ts";
import { type Patcher, PatchType as PatchMediaType, patchObject } from "./registry/patching.ts";
import { bindPod } from "./registry/pod-binding.ts";
import type { Registry } from "./registry/registry.ts";
import type { ResourceCatalog } from "./resources/catalog.ts";
import type { ResourceType } from "./resources/resource-type.ts";
import type { ShapeResolver } from "./schema/shape.ts";

const MEDIA: Record<PatchType, PatchMediaType> = {
  merge: PatchMediaType.merge,
  strategic: PatchMediaType.strategic,
  json: PatchMediaType.json,
  apply: PatchMediaType.apply,
};

/**
 * The API server's own API, called in process: the same registry, validation,
 * admission and watch cache as HTTP requests, without serialization. A
 * simulated member's control plane uses it to stay fast at scale.
 */
export class LocalClient implements KubeClient {
  #registry: Registry;
  #catalog: ResourceCatalog;
  #patcher: Patcher;
  #shapes: ShapeResolver;
  #defaultManager: string;

  constructor(options: {
    registry: Registry;
    catalog: ResourceCatalog;
    patcher: Patcher;
    shapes: ShapeResolver;
    fieldManager: string;
  }) {
    this.#registry = options.registry;
    this.#catalog = options.catalog;
    this.#patcher = options.patcher;
    this.#shapes = options.shapes;
    this.#defaultManager = options.fieldManager;
  }

  async get(
    resource: ResourceId,
    namespace: string | undefined,
    name: string,
  ): Promise<KubeObject | undefined> {
    return this.#registry.find(this.#type(resource), namespace, name)?.object;
  }

  async list(resource: ResourceId, options: ListOptions = {}): Promise<ListResult> {
    const type = this.#type(resource);
    const { filter, filtered } = this.#selectors(type, options);
    const result = await listObjects(this.#registry, type, {
      namespace: options.namespace,
      filter,
      filtered,
    });
    return { items: result.items.map((i) => i.object), resourceVersion: String(result.revision) };
  }

  async create(
    resource: ResourceId,
    namespace: string | undefined,
    object: KubeObject,
    options: WriteOptions = {},
  ) {
    if (options.subresource === "binding") {
      return bindPod(this.#registry, this.#type(resource), namespace, object.metadata.name ?? "", object);
    }
    const result = await this.#registry.create(this.#type(resource), namespace, object, this.#write(options));
    return result.object;
  }

  async update(
    resource: ResourceId,
    namespace: string | undefined,
    object: KubeObject,
    options: WriteOptions = {},
  ) {
    const name = object.metadata.name ?? "";
    const result = await this.#registry.update(
      this.#type(resource),
      namespace,
      name,
      object,
      this.#write(options),
    );
    return result.object;
  }

  async patch(
    resource: ResourceId,
    namespace: string | undefined,
    name: string,
    type: PatchType,
    patch: unknown,
    options: PatchOptions = {},
  ): Promise<KubeObject> {
    const result = await patchObject(
      this.#registry,
      this.#patcher,
      this.#shapes,
      { type: this.#type(resource), namespace, name },
      MEDIA[type],
      JSON.stringify(patch),
      { ...this.#write(options), force: type === "apply" ? options.force === true : undefined },
    );
    return result.object;
  }

  async delete(
    resource: ResourceId,
    namespace: string | undefined,
    name: string,
    options: DeleteOptions = {},
  ) {
    return (await deleteObject(this.#registry, this.#type(resource), namespace, name, options)).object;
  }

  watch(resource: ResourceId, options: ListOptions & { resourceVersion?: string }, handlers: WatchHandlers) {
    const type = this.#type(resource);
    const { filter } = this.#selectors(type, options);
    const rv = options.resourceVersion;
    const initial = rv === undefined || rv === "" || rv === "0";
    let stopped = false;
    const watcher = this.#registry.cacher.resource(resourcePrefix(type)).watch(
      {
        keyPrefix: listPrefix(type, options.namespace),
        filter,
        start: initial ? { initial: true } : { from: parseRevision(rv) },
      },
      {
        event: (eventType, cached) => {
          if (!stopped) handlers.onEvent(eventType, cached.object);
        },
        expired: (requested, oldest) => {
          stopped = true;
          queueMicrotask(() =>
            handlers.onClose(
              new StatusError("Expired", `too old resource version: ${requested} (${oldest})`),
            ),
          );
        },
      },
    );
    return {
      stop() {
        stopped = true;
        watcher.stop();
      },
    };
  }

  #type(resource: ResourceId): ResourceType {
    const type = this.#catalog.find(resource.group, resource.version, resource.resource);
    if (!type) throw new StatusError("NotFound", "the server could not find the requested resource");
    return type;
  }

  #selectors(type: ResourceType, options: ListOptions) {
    const params = new URLSearchParams();
    if (options.labelSelector) params.set("labelSelector", options.labelSelector);
    if (options.fieldSelector) params.set("fieldSelector", options.fieldSelector);
    return selectorCompiler.compile(type, new Query(params));
  }

  #write(options: WriteOptions) {
    return {
      dryRun: options.dryRun,
      fieldManager: options.fieldManager ?? this.#defaultManager,
      fieldValidation: "Ignore" as const,
      subresource: options.subresource,
    };
  }
}
