import { isIPv4, isIPv6 } from "node:net";

/**
 * The string and number formats kube-apiserver checks in custom resources
 * (kube-openapi's format registry). Unknown formats are not checked, as there.
 */
type FormatCheck = (value: unknown) => boolean;

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
const DURATION = /^[-+]?((\d+(\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h|d|w))+$/;
const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
const UUID_VERSION = (v: number) =>
  new RegExp(`^[0-9a-f]{8}-?[0-9a-f]{4}-?${v}[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$`, "i");
const EMAIL = /^[^\s@<>()[\],;:"]+@[^\s@<>()[\],;:"]+$/;
const HOSTNAME =
  /^(?=.{1,255}$)[a-zA-Z0-9]([-a-zA-Z0-9]{0,61}[a-zA-Z0-9])?(\.[a-zA-Z0-9]([-a-zA-Z0-9]{0,61}[a-zA-Z0-9])?)*\.?$/;
const MAC = /^([0-9a-f]{2}[:-]){5}[0-9a-f]{2}$|^([0-9a-f]{4}\.){2}[0-9a-f]{4}$/i;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const HEX_COLOR = /^#?([0-9a-f]{3}|[0-9a-f]{6})$/i;
const BSON_OBJECT_ID = /^[0-9a-f]{24}$/i;

function onString(check: (s: string) => boolean): FormatCheck {
  return (value) => typeof value !== "string" || check(value);
}

function validDate(year: string, month: string, day: string): boolean {
  const y = Number(year);
  const m = Number(month);
  const d = Number(day);
  if (m < 1 || m > 12 || d < 1) return false;
  return d <= new Date(Date.UTC(y, m, 0)).getUTCDate();
}

function isDateTime(s: string): boolean {
  const m = DATE_TIME.exec(s);
  if (!m) return false;
  return validDate(m[1], m[2], m[3]) && Number(m[4]) < 24 && Number(m[5]) < 60 && Number(m[6]) < 61;
}

function isDate(s: string): boolean {
  const m = DATE.exec(s);
  return m !== null && validDate(m[1], m[2], m[3]);
}

function isCIDR(s: string): boolean {
  const [ip, prefix, extra] = s.split("/");
  if (extra !== undefined || prefix === undefined || !/^\d{1,3}$/.test(prefix)) return false;
  const bits = Number(prefix);
  return (isIPv4(ip) && bits <= 32) || (isIPv6(ip) && bits <= 128);
}

function integerIn(min: bigint, max: bigint): FormatCheck {
  return (value) => {
    if (typeof value !== "number" || !Number.isInteger(value)) return true;
    const n = BigInt(value);
    return n >= min && n <= max;
  };
}

const CHECKS: Record<string, FormatCheck> = {
  "date-time": onString(isDateTime),
  datetime: onString(isDateTime),
  date: onString(isDate),
  duration: onString((s) => DURATION.test(s)),
  byte: onString((s) => BASE64.test(s)),
  uuid: onString((s) => UUID.test(s)),
  uuid3: onString((s) => UUID_VERSION(3).test(s)),
  uuid4: onString((s) => UUID_VERSION(4).test(s)),
  uuid5: onString((s) => UUID_VERSION(5).test(s)),
  email: onString((s) => EMAIL.test(s)),
  hostname: onString((s) => HOSTNAME.test(s)),
  ipv4: onString((s) => isIPv4(s)),
  ipv6: onString((s) => isIPv6(s)),
  cidr: onString(isCIDR),
  mac: onString((s) => MAC.test(s)),
  uri: onString((s) => URL.canParse(s)),
  hexcolor: onString((s) => HEX_COLOR.test(s)),
  bsonobjectid: onString((s) => BSON_OBJECT_ID.test(s)),
  int32: integerIn(-(2n ** 31n), 2n ** 31n - 1n),
  int64: integerIn(-(2n ** 63n), 2n ** 63n - 1n),
};

/** True when `value` satisfies `format`, or the format is one this server does not check. */
export function matchesFormat(format: string, value: unknown): boolean {
  const check = CHECKS[format];
  return check ? check(value) : true;
}
