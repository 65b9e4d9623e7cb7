/** The binding controller: bindings → per-member Works, and Work status → bindings and templates. */
export { BindingController, type BindingControllerOptions } from "./binding-controller.ts";
export { cleanManifest } from "./clean.ts";
export { DEPENDENCY_RESOURCES, type DependencyRef, dependenciesOf } from "./dependencies.ts";
export { RENDERED_CONDITION, RenderedReasons } from "./rendered-condition.ts";
export { isDivided, RETAIN_REPLICAS_LABEL } from "./replicas.ts";
