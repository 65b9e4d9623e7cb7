import { AGE, CONTAINERS, column, IMAGES, NAME, SELECTOR } from "../columns.ts";
import { containerCells, count, formatLabelSelector } from "../format.ts";
import { humanDuration, parseTimestamp, timeSince } from "../human-duration.ts";
import type { Condition, LabelSelectorObject, ObjectMeta, PodTemplateSpec } from "../kube-types.ts";
import type { Printer } from "../table.ts";

type JobSpec = {
  completions?: number;
  parallelism?: number;
  selector?: LabelSelectorObject;
  template?: PodTemplateSpec;
};
type Job = {
  metadata?: ObjectMeta;
  spec?: JobSpec;
  status?: { succeeded?: number; startTime?: string; completionTime?: string; conditions?: Condition[] };
};
type CronJob = {
  metadata?: ObjectMeta;
  spec?: { schedule?: string; timeZone?: string; suspend?: boolean; jobTemplate?: { spec?: JobSpec } };
  status?: { active?: object[]; lastScheduleTime?: string };
};

function hasCondition(job: Job, type: string): boolean {
  const condition = (job.status?.conditions ?? []).find((c) => c.type === type);
  return condition?.status === "True";
}

function jobStatus(job: Job): string {
  if (hasCondition(job, "Complete")) return "Complete";
  if (hasCondition(job, "Failed")) return "Failed";
  if (job.metadata?.deletionTimestamp) return "Terminating";
  if (hasCondition(job, "Suspended")) return "Suspended";
  if (hasCondition(job, "FailureTarget")) return "FailureTarget";
  return "Running";
}

function completions(job: Job): string {
  const succeeded = count(job.status?.succeeded);
  if (typeof job.spec?.completions === "number") return `${succeeded}/${count(job.spec.completions)}`;
  const parallelism = count(job.spec?.parallelism);
  return parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
}

function jobDuration(job: Job, now: Date): string {
  const start = parseTimestamp(job.status?.startTime);
  if (start === undefined) return "";
  const end = parseTimestamp(job.status?.completionTime) ?? now.getTime();
  return humanDuration(end - start);
}

/** Jobs: Name, Status, Completions ("1/3"), Duration, Age; wide Containers, Images, Selector. */
export const jobPrinter: Printer = {
  columns: [
    NAME,
    column("Status", "string", "Status of the job."),
    column("Completions", "string", "The number of pods which reached phase Succeeded."),
    column("Duration", "string", "Time required to complete the job."),
    AGE,
    CONTAINERS,
    IMAGES,
    SELECTOR,
  ],
  print(obj, { now }) {
    const job = obj as Job;
    const [names, images] = containerCells(job.spec?.template?.spec?.containers);
    return {
      cells: [
        job.metadata?.name ?? "",
        jobStatus(job),
        completions(job),
        jobDuration(job, now),
        timeSince(job.metadata?.creationTimestamp, now),
        names,
        images,
        formatLabelSelector(job.spec?.selector),
      ],
    };
  },
};

/** CronJobs: Name, Schedule, Timezone, Suspend, Active, Last Schedule, Age; wide Containers, Images, Selector. */
export const cronJobPrinter: Printer = {
  columns: [
    NAME,
    column("Schedule", "string", "The schedule in Cron format."),
    column("Timezone", "string", "The time zone name for the given schedule."),
    column("Suspend", "boolean", "Whether subsequent executions are suspended."),
    column("Active", "integer", "The number of currently running jobs."),
    column("Last Schedule", "string", "The last time a job was successfully scheduled."),
    AGE,
    CONTAINERS,
    IMAGES,
    SELECTOR,
  ],
  print(obj, { now }) {
    const cj = obj as CronJob;
    const jobSpec = cj.spec?.jobTemplate?.spec;
    const [names, images] = containerCells(jobSpec?.template?.spec?.containers);
    const last = cj.status?.lastScheduleTime;
    return {
      cells: [
        cj.metadata?.name ?? "",
        cj.spec?.schedule ?? "",
        cj.spec?.timeZone ?? "<none>",
        // The API defaults suspend to false; Go prints the pointer as True/False.
        cj.spec?.suspend === true ? "True" : "False",
        (cj.status?.active ?? []).length,
        last ? timeSince(last, now) : "<none>",
        timeSince(cj.metadata?.creationTimestamp, now),
        names,
        images,
        formatLabelSelector(jobSpec?.selector),
      ],
    };
  },
};
