import { z } from "zod";

/**
 * Money is an integer count of the currency's minor units plus an ISO 4217 code. Every channel
 * spelling ("15.00 USD", `amountMicros`, `value_with_tax`) is produced here and nowhere else.
 */
export const CurrencySchema = z.string().regex(/^[A-Z]{3}$/, "expected an ISO 4217 code such as USD");

export const MoneySchema = z.object({
  /** Minor units (cents for USD, yen for JPY). */
  amount: z.number().int().nonnegative(),
  currency: CurrencySchema,
});
export type Money = z.infer<typeof MoneySchema>;

const ZERO_DECIMALS = new Set([
  "BIF",
  "CLP",
  "DJF",
  "GNF",
  "ISK",
  "JPY",
  "KMF",
  "KRW",
  "PYG",
  "RWF",
  "UGX",
  "UYI",
  "VND",
  "VUV",
  "XAF",
  "XOF",
  "XPF",
]);
const THREE_DECIMALS = new Set(["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"]);

/** Number of decimals of a currency's minor unit. */
export function currencyDecimals(currency: string): number {
  if (ZERO_DECIMALS.has(currency)) return 0;
  if (THREE_DECIMALS.has(currency)) return 3;
  return 2;
}

export function isMoney(value: unknown): value is Money {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as Money).amount === "number" &&
    typeof (value as Money).currency === "string"
  );
}

export type MoneyParse = { ok: true; money: Money; rounded: boolean } | { ok: false; reason: string };

const AMOUNT = /^(?:(\d{1,3}(?:,\d{3})+)|(\d+))(?:\.(\d+))?$/;
const WITH_CODE = /^(?:([A-Z]{3})\s+)?([^\s]+)(?:\s+([A-Z]{3}))?$/;

/**
 * Reads a decimal amount such as `19.99`, `1,299.00`, `19.99 USD` or `USD 19.99` without going
 * through floating point. More decimals than the currency has are rounded half up and flagged.
 */
export function parseMoney(text: string, defaultCurrency: string | undefined): MoneyParse {
  const trimmed = text.trim();
  const parts = WITH_CODE.exec(trimmed);
  if (!parts) return { ok: false, reason: `"${text}" is not a price` };
  const currency = parts[1] ?? parts[3] ?? defaultCurrency;
  if (parts[1] && parts[3] && parts[1] !== parts[3]) {
    return { ok: false, reason: `"${text}" names two currencies` };
  }
  if (!currency) return { ok: false, reason: `"${text}" has no currency and no default currency is set` };
  const amount = AMOUNT.exec(parts[2] ?? "");
  if (!amount) return { ok: false, reason: `"${text}" is not a price` };
  const whole = (amount[1] ?? amount[2] ?? "0").replaceAll(",", "");
  const fraction = amount[3] ?? "";
  const decimals = currencyDecimals(currency);
  const kept = fraction.slice(0, decimals).padEnd(decimals, "0");
  let minor = Number(whole + kept);
  const dropped = fraction.slice(decimals);
  const rounded = /[1-9]/.test(dropped);
  if (dropped.length > 0 && dropped.charCodeAt(0) >= 53 /* '5' */) minor += 1;
  if (!Number.isSafeInteger(minor)) return { ok: false, reason: `"${text}" is too large` };
  return { ok: true, money: { amount: minor, currency }, rounded };
}

/** `19.99` — the amount with exactly the currency's decimals, `.` as separator. */
export function formatAmount(money: Money): string {
  const decimals = currencyDecimals(money.currency);
  if (decimals === 0) return String(money.amount);
  const digits = String(money.amount).padStart(decimals + 1, "0");
  return `${digits.slice(0, -decimals)}.${digits.slice(-decimals)}`;
}

/** `19.99 USD`, the spelling of Google and Meta feeds. */
export function formatMoney(money: Money): string {
  return `${formatAmount(money)} ${money.currency}`;
}

/** The amount as a JSON number, as Amazon's `value_with_tax` wants it. */
export function moneyToNumber(money: Money): number {
  return Number(formatAmount(money));
}

/** Merchant API v1 `amountMicros`: int64 as a string. */
export function moneyToMicros(money: Money): string {
  const factor = 10 ** (6 - currencyDecimals(money.currency));
  return (BigInt(money.amount) * BigInt(factor)).toString();
}

/** Money from a computed amount of minor units: rounded half up, never below zero. */
function moneyOf(amount: number, currency: string): Money {
  return { amount: Math.max(0, Math.round(amount)), currency };
}

/** Scales a price (markups, discounts), rounding half up to the minor unit, never below zero. */
export function multiplyMoney(money: Money, factor: number): Money {
  return moneyOf(money.amount * factor, money.currency);
}

/** Adds an amount in major units (`2.5` is 2.50 USD, 3 JPY is 3), never going below zero. */
export function addToMoney(money: Money, majorAmount: number): Money {
  return moneyOf(money.amount + majorAmount * 10 ** currencyDecimals(money.currency), money.currency);
}

export type RoundMode = "nearest" | "up" | "down";

/** Rounds to a whole number: nearest (half up), up or down. */
export function roundWith(value: number, mode: RoundMode): number {
  if (mode === "up") return Math.ceil(value);
  if (mode === "down") return Math.floor(value);
  return Math.round(value);
}

/**
 * Rounds a price to `decimals` in major units (`2` keeps cents, `0` whole dollars, `-1` tens); a
 * price already that coarse is returned as is.
 */
export function roundMoney(money: Money, decimals: number, mode: RoundMode): Money {
  const own = currencyDecimals(money.currency);
  if (decimals >= own) return money;
  const step = 10 ** (own - decimals);
  return { amount: roundWith(money.amount / step, mode) * step, currency: money.currency };
}

/**
 * Charm pricing on an integer count of units with `unitDecimals` decimals: the last digits become
 * `ending`, at or above the amount (`2345` cents with `0.99` → `2399`; with `9.99` → `2999`).
 * Undefined when the ending needs more decimals than the units have.
 */
export function withPriceEnding(amount: number, unitDecimals: number, ending: number): number | undefined {
  const endingUnits = Math.round(ending * 10 ** unitDecimals);
  const wholeDigits = Math.floor(ending) === 0 ? 0 : String(Math.floor(ending)).length;
  const step = 10 ** (unitDecimals + wholeDigits);
  if (endingUnits >= step) return undefined;
  let result = Math.floor(amount / step) * step + endingUnits;
  if (result < amount) result += step;
  return result;
}

/** A price with a charm ending (`23.45 USD` with `0.99` → `23.99 USD`), or undefined (see above). */
export function moneyWithEnding(money: Money, ending: number): Money | undefined {
  const amount = withPriceEnding(money.amount, currencyDecimals(money.currency), ending);
  return amount === undefined ? undefined : moneyOf(amount, money.currency);
}

export function compareMoney(a: Money, b: Money): number {
  if (a.currency !== b.currency) throw new Error(`cannot compare ${a.currency} with ${b.currency}`);
  return a.amount - b.amount;
}
