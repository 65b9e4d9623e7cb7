import type { KubeObject } from "../../api/object.ts";
import { items, setIfUnset } from "./json-fields.ts";

/** An EndpointSlice: each port's `name` is `""` and `protocol` is `TCP` unless given. */
export function defaultEndpointSlice(slice: KubeObject): void {
  for (const port of items(slice, "ports")) {
    setIfUnset(port, "name", "");
    setIfUnset(port, "protocol", "TCP");
  }
}
