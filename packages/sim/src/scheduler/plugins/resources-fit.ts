import { podRequests } from "../node-info.ts";
import type { FilterPlugin } from "./types.ts";

/** The pod's requests must fit in what the node has left. */
export const resourcesFit: FilterPlugin = {
  name: "NodeResourcesFit",
  filter(pod, node) {
    const wants = podRequests(pod);
    if (node.requested.pods + 1 > node.allocatable.pods) return "Too many pods";
    if (wants.cpu > 0 && node.requested.cpu + wants.cpu > node.allocatable.cpu) return "Insufficient cpu";
    if (wants.memory > 0 && node.requested.memory + wants.memory > node.allocatable.memory)
      return "Insufficient memory";
    return undefined;
  },
};
