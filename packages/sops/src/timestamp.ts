// YAML timestamps as yaml.v3 resolves them, normalised to Go's RFC 3339 nano text (time.MarshalText).

// yaml.v3 layouts: 2006-1-2T15:4:5.999999999Z07:00 (T or t, zone required), "2006-1-2 15:4:5.999999999" (UTC), 2006-1-2.
const YAML_TIMESTAMP =
  /^(\d{4})-(\d{1,2})-(\d{1,2})(?:(?:[Tt](\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2}))|(?: (\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.(\d+))?))?$/;
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|z|[+-]\d{2}:\d{2})$/;

const pad = (value: string, width: number) => value.padStart(width, "0");

/**
 * Parses a timestamp and returns its RFC 3339 nano form, or undefined when the text is no timestamp.
 * `rfc3339Only` accepts only what Go's `time.UnmarshalText` accepts.
 */
export function normalizeTimestamp(text: string, options: { rfc3339Only?: boolean } = {}): string | undefined {
  const match = (options.rfc3339Only ? RFC3339 : YAML_TIMESTAMP).exec(text);
  if (!match) return undefined;
  const [, year, month, day, tHour, tMinute, tSecond, tFraction, zone, sHour, sMinute, sSecond, sFraction] = match;
  const hour = tHour ?? sHour;
  const minute = tMinute ?? sMinute;
  const second = tSecond ?? sSecond;
  const fraction = tFraction ?? sFraction;
  const m = Number(month);
  const d = Number(day);
  const h = Number(hour ?? 0);
  const min = Number(minute ?? 0);
  const s = Number(second ?? 0);
  if (m < 1 || m > 12 || d < 1 || d > daysInMonth(Number(year), m) || h > 23 || min > 59 || s > 59) return undefined;
  let out = `${year}-${pad(String(m), 2)}-${pad(String(d), 2)}T${pad(String(h), 2)}:${pad(String(min), 2)}:${pad(String(s), 2)}`;
  const nanos = (fraction ?? "").slice(0, 9).replace(/0+$/, "");
  if (nanos) out += `.${nanos}`;
  if (!zone || zone === "Z" || zone === "z" || zone === "+00:00" || zone === "-00:00") return `${out}Z`;
  return `${out}${zone}`;
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** `lastmodified` as sops writes it: UTC, seconds resolution, `Z`. */
export function formatLastModified(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

/** The MAC AAD sops derives from a stored `lastmodified`: re-formatted as RFC 3339 (fractions dropped). */
export function lastModifiedAad(text: string): string {
  const match = /^(\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2})(?:\.\d+)?(Z|z|[+-]\d{2}:\d{2})$/.exec(text.trim());
  if (!match) return text;
  const zone = match[2] === "z" || match[2] === "+00:00" || match[2] === "-00:00" ? "Z" : match[2];
  return `${match[1]!.replace("t", "T")}${zone}`;
}
