import { column, NAME_DESCRIPTION } from "../columns.ts";
import { timeSince } from "../human-duration.ts";
import type { ObjectMeta } from "../kube-types.ts";
import type { Printer } from "../table.ts";

type Reference = { kind?: string; name?: string; fieldPath?: string };
type Series = { count?: number; lastObservedTime?: string };
/** A `v1` Event; `events.k8s.io/v1` Events are read through the same shape (see fromEventsV1). */
type CoreEvent = {
  metadata?: ObjectMeta;
  involvedObject?: Reference;
  reason?: string;
  message?: string;
  source?: { component?: string; host?: string };
  firstTimestamp?: string;
  lastTimestamp?: string;
  eventTime?: string;
  count?: number;
  type?: string;
  series?: Series;
  reportingComponent?: string;
  reportingInstance?: string;
};
type EventsV1Event = {
  metadata?: ObjectMeta;
  regarding?: Reference;
  note?: string;
  reason?: string;
  type?: string;
  eventTime?: string;
  series?: Series;
  reportingController?: string;
  reportingInstance?: string;
  deprecatedSource?: { component?: string; host?: string };
  deprecatedFirstTimestamp?: string;
  deprecatedLastTimestamp?: string;
  deprecatedCount?: number;
};

/** kube-apiserver prints both Event APIs from one internal type; this is that conversion. */
function fromEventsV1(event: EventsV1Event): CoreEvent {
  return {
    metadata: event.metadata,
    involvedObject: event.regarding,
    reason: event.reason,
    message: event.note,
    source: event.deprecatedSource,
    firstTimestamp: event.deprecatedFirstTimestamp,
    lastTimestamp: event.deprecatedLastTimestamp,
    eventTime: event.eventTime,
    count: event.deprecatedCount,
    type: event.type,
    series: event.series,
    reportingComponent: event.reportingController,
    reportingInstance: event.reportingInstance,
  };
}

function eventSource(event: CoreEvent): string {
  const component = event.source?.component || event.reportingComponent || "";
  const instance = event.source?.host || event.reportingInstance || "";
  return instance ? `${component}, ${instance}` : component;
}

function printEvent(event: CoreEvent, now: Date) {
  const first = event.firstTimestamp ? timeSince(event.firstTimestamp, now) : timeSince(event.eventTime, now);
  let last = event.lastTimestamp ? timeSince(event.lastTimestamp, now) : first;
  let count = event.count ?? 0;
  if (event.series) {
    last = timeSince(event.series.lastObservedTime, now);
    count = event.series.count ?? 0;
  } else if (count === 0) {
    count = 1; // Singleton events in the new API carry no count.
  }
  const kind = (event.involvedObject?.kind ?? "").toLowerCase();
  const name = event.involvedObject?.name;
  return {
    cells: [
      last,
      event.type ?? "",
      event.reason ?? "",
      name ? `${kind}/${name}` : kind,
      event.involvedObject?.fieldPath ?? "",
      eventSource(event),
      (event.message ?? "").trim(),
      first,
      count,
      event.metadata?.name ?? "",
    ],
  };
}

const EVENT_COLUMNS = [
  column("Last Seen", "string", "The time at which the most recent occurrence of this event was recorded."),
  column("Type", "string", "Type of this event (Normal, Warning), new types could be added in the future"),
  column(
    "Reason",
    "string",
    "This should be a short, machine understandable string that gives the reason for the transition into the object's current status.",
  ),
  column("Object", "string", "The object that this event is about."),
  column("Subobject", "string", "The field of the object the event is about, e.g. a container.", {
    priority: 1,
  }),
  column("Source", "string", "The component reporting this event.", { priority: 1 }),
  column("Message", "string", "A human-readable description of the status of this operation."),
  column("First Seen", "string", "The time at which the event was first recorded.", { priority: 1 }),
  column("Count", "string", "The number of times this event has occurred.", { priority: 1 }),
  column("Name", "string", NAME_DESCRIPTION, { priority: 1, format: "name" }),
];

/** `v1` Events: Last Seen, Type, Reason, Object ("pod/web"), Message; wide Subobject, Source, First Seen, Count, Name. */
export const eventPrinter: Printer = {
  columns: EVENT_COLUMNS,
  print: (obj, { now }) => printEvent(obj as CoreEvent, now),
};

/** `events.k8s.io/v1` Events, printed with the same columns as `v1` Events. */
export const eventsV1Printer: Printer = {
  columns: EVENT_COLUMNS,
  print: (obj, { now }) => printEvent(fromEventsV1(obj as EventsV1Event), now),
};
