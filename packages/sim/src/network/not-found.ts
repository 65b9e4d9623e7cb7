import { StatusError } from "@atoll/kube";

/** Awaits a write whose target may be gone already: NotFound is success (the deletion's own event follows). */
export async function ignoreNotFound(write: Promise<unknown>): Promise<void> {
  try {
    await write;
  } catch (error) {
    if (!(error instanceof StatusError && error.reason === "NotFound")) throw error;
  }
}
