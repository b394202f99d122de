/**
 * Dates, times, numbers and plurals in the user's locale, through Intl. Every view (tables,
 * filters, status lines, Copy) formats through here so that one locale rules the window.
 * `locale` is undefined in the app: Intl then uses the runtime's locale, which is the one
 * Chromium also uses for its own date pickers; tests pass 'en-US' or 'de-DE'.
 */

/** A BCP 47 locale tag, or undefined for the user's own. */
export type Locale = string | undefined;

// Building a formatter costs far more than using one, and log rows format thousands of times.
const cache = new Map<string, Intl.DateTimeFormat | Intl.NumberFormat | Intl.PluralRules>();

function cached<T extends Intl.DateTimeFormat | Intl.NumberFormat | Intl.PluralRules>(
  key: string,
  make: () => T,
): T {
  let f = cache.get(key) as T | undefined;
  if (!f) {
    f = make();
    cache.set(key, f);
  }
  return f;
}

const dateTime = (locale: Locale, kind: string, options: Intl.DateTimeFormatOptions) =>
  cached(`dt|${locale ?? ''}|${kind}`, () => new Intl.DateTimeFormat(locale, options));

const DATE: Intl.DateTimeFormatOptions = { year: 'numeric', month: '2-digit', day: '2-digit' };
// Two-digit hours keep times the same width, so table columns and log lines stay aligned.
const TIME: Intl.DateTimeFormatOptions = { hour: '2-digit', minute: '2-digit', second: '2-digit' };

function toDate(time: number | string | Date): Date | null {
  const d = time instanceof Date ? time : new Date(time);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** A whole number or count: 100000 -> "100,000" (en-US), "100.000" (de-DE). */
export function formatNumber(n: number, locale?: Locale): string {
  return cached(`num|${locale ?? ''}`, () => new Intl.NumberFormat(locale)).format(n);
}

/** English words for a count; `one` and `other` are the categories English needs. */
export interface PluralForms {
  one: string;
  other: string;
}

/** A count with its noun: "1 entry", "2 entries", "100,000 lines" (plural rule by locale). */
export function plural(n: number, forms: PluralForms, locale?: Locale): string {
  const rule = cached(`pl|${locale ?? ''}`, () => new Intl.PluralRules(locale)).select(n);
  return `${formatNumber(n, locale)} ${rule === 'one' ? forms.one : forms.other}`;
}

/** Date and time to the second: "11/28/2026, 09:17:39 PM" (en-US), "28.11.2026, 21:17:39" (de-DE). */
export function formatDateTime(time: number | string | Date, locale?: Locale): string {
  const d = toDate(time);
  if (!d) return String(time);
  return dateTime(locale, 'datetime', { ...DATE, ...TIME }).format(d);
}

/** True when both times fall on the same local calendar day. */
export function sameDay(a: number, b: number): boolean {
  const x = new Date(a);
  const y = new Date(b);
  return (
    x.getFullYear() === y.getFullYear() &&
    x.getMonth() === y.getMonth() &&
    x.getDate() === y.getDate()
  );
}

/**
 * A log line's time with milliseconds; the date too when the line is not from `now`'s day, so a
 * line from yesterday never reads as today: "09:17:39.123 PM" or "11/27/2026, 09:17:39.123 PM".
 */
export function formatLogTime(time: number, now: number, locale?: Locale): string {
  const d = toDate(time);
  if (!d) return String(time);
  const withDate = !sameDay(time, now);
  return dateTime(locale, withDate ? 'log-datetime' : 'log-time', {
    ...(withDate ? DATE : {}),
    ...TIME,
    fractionalSecondDigits: 3,
  }).format(d);
}
