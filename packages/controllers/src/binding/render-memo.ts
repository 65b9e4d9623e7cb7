import type { ResourceBinding } from "@atoll/api";
import type { KubeObject } from "@atoll/kube";
import { workMetadataDiffers } from "./works.ts";

/** A Work known to match a render: its identity and generation then, and the metadata it was given. */
export type VerifiedWork = {
  uid: string | undefined;
  generation: number | undefined;
  /** When it was verified (ms), to trust a just-written Work the informer has not shown yet. */
  at: number;
  labels: Record<string, string>;
  annotations: Record<string, string>;
};

/**
 * What renders of a binding depended on (`fingerprint`) and the Works
 * verified against it: while neither changes, a member is not rendered again.
 */
export type RenderMemo = { fingerprint: string; works: Map<string, VerifiedWork> };

/**
 * Everything a render reads, but the Works: while it is unchanged, a Work
 * verified against it needs no new render. The template counts by
 * generation and metadata, not resourceVersion, so the status this
 * controller writes to it does not invalidate the memo.
 */
export function fingerprint(
  binding: ResourceBinding,
  id: string,
  template: KubeObject,
  dependencies: readonly KubeObject[],
  epoch: number,
): string {
  const meta = template.metadata;
  const templatePart =
    meta.generation === undefined
      ? `rv:${meta.resourceVersion}`
      : `g:${meta.generation}:${JSON.stringify(meta.labels ?? {})}:${JSON.stringify(meta.annotations ?? {})}`;
  return JSON.stringify([
    binding.metadata.uid,
    binding.metadata.generation,
    id,
    meta.uid,
    templatePart,
    epoch,
    dependencies.map((d) => `${d.kind}/${d.metadata.name}@${d.metadata.resourceVersion}`),
  ]);
}

/** How long a Work just written may be missing from the informer before it is written again. */
const INFORMER_LAG_MS = 10_000;

/**
 * Whether the Work is the one verified against the current memo. A Work we
 * just created that the informer has not shown yet counts for a while (its
 * deletion would clear the memo); an older generation is the informer
 * lagging our own update.
 */
export function isVerified(
  memo: RenderMemo,
  member: string,
  work: KubeObject | undefined,
  now: number,
): boolean {
  const verified = memo.works.get(member);
  if (!verified) return false;
  if (!work) return now - verified.at < INFORMER_LAG_MS;
  return (
    work.metadata.uid === verified.uid &&
    (work.metadata.generation ?? 0) <= (verified.generation ?? 0) &&
    !workMetadataDiffers(work, verified)
  );
}
