// Warning events as `kubectl get events --sort-by=.lastTimestamp` should show them: by last occurrence
// (series.lastObservedTime, lastTimestamp, eventTime), duplicates folded with a count, old ones dropped.
import type { CoreV1Event } from "@kubernetes/client-node";
import type { Finding } from "../../finding.js";

const time = (value: unknown): number | undefined => {
  if (value === undefined || value === null) return undefined;
  const parsed = value instanceof Date ? value.getTime() : Date.parse(String(value));
  return Number.isNaN(parsed) ? undefined : parsed;
};

/** When the event last happened: its series' last observation, else lastTimestamp, eventTime, firstTimestamp. */
export function lastOccurrence(event: CoreV1Event): number {
  return (
    time(event.series?.lastObservedTime) ??
    time(event.lastTimestamp) ??
    time(event.eventTime) ??
    time(event.firstTimestamp) ??
    time(event.metadata?.creationTimestamp) ??
    0
  );
}

export interface EventOptions {
  /** Most recent groups to report. @default 20 */
  readonly max?: number;
  /** Events last seen longer ago than this are dropped. @default 1 h */
  readonly maxAgeMs?: number;
  /** @default Date.now() */
  readonly now?: number;
}

export function checkWarningEvents(events: readonly CoreV1Event[], options: EventOptions = {}): Finding[] {
  const now = options.now ?? Date.now();
  const maxAge = options.maxAgeMs ?? 60 * 60 * 1000;
  const groups = new Map<string, { event: CoreV1Event; last: number; count: number }>();
  for (const event of events) {
    if (event.type !== "Warning") continue;
    const last = lastOccurrence(event);
    if (now - last > maxAge) continue;
    const involved = event.involvedObject;
    const key = [involved?.kind, involved?.namespace, involved?.name, event.reason, event.message].join("\u0000");
    const count = event.series?.count ?? event.count ?? 1;
    const group = groups.get(key);
    if (!group) groups.set(key, { event, last, count });
    else {
      group.count += count;
      if (last > group.last) Object.assign(group, { event, last });
    }
  }
  return [...groups.values()]
    .sort((a, b) => a.last - b.last || (a.event.metadata?.name ?? "").localeCompare(b.event.metadata?.name ?? ""))
    .slice(-(options.max ?? 20))
    .map(({ event, last, count }) => {
      const involved = event.involvedObject;
      return {
        rule: "warning-event",
        severity: "warning" as const,
        file: "live: events",
        path: "",
        object: `${involved?.kind ?? "object"} ${involved?.namespace ? `${involved.namespace}/` : ""}${involved?.name ?? ""}`,
        message: `${new Date(last).toISOString()} ${event.reason ?? ""}: ${event.message ?? ""}${count > 1 ? ` (×${count})` : ""}`,
        hint: "kubectl get events -A --field-selector type=Warning --sort-by=.lastTimestamp",
      };
    });
}
