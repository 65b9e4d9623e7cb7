import type { KubeObject } from "@atoll/kube";
import type { NodeInfo } from "../node-info.ts";

/** One filter of the scheduling pipeline: why `pod` cannot go to `node`, or undefined when it can. */
export type FilterPlugin = {
  name: string;
  filter(pod: KubeObject, node: NodeInfo, all: readonly NodeInfo[]): string | undefined;
};
