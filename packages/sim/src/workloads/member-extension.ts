import type { Runnable } from "@atoll/kube";
import { ApiEventRecorder } from "../events/recorder.ts";
import type { MemberContext } from "../member.ts";
import { workloadInformersFrom } from "./informers.ts";
import { type CreateWorkloadControllersOptions, createWorkloadControllers } from "./workload-controllers.ts";

/**
 * The workload controllers as a simulated member's extension, wired as
 * kube-controller-manager is: the member's shared informers, its clock and
 * error sink, writes as `kube-controller-manager` (each controller under its
 * own field manager), and Events from each controller's component name.
 *
 * `SimMember.start({ …, extensions: [workloadControllersExtension()] })`.
 */
export function workloadControllersExtension(
  options: Pick<CreateWorkloadControllersOptions, "jobBackoff"> = {},
): (member: MemberContext) => Runnable {
  return (member) =>
    createWorkloadControllers({
      client: member.server.client("kube-controller-manager"),
      informers: workloadInformersFrom(member.informers),
      clock: member.clock,
      onError: member.onError,
      events: (component) =>
        new ApiEventRecorder({ client: member.server.client(component), component, clock: member.clock }),
      jobBackoff: options.jobBackoff,
    });
}
