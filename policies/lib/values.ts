/** Resource properties as a policy sees them: plain JSON behind the runtime's unknown-checking proxy. */
export type Props = Record<string, unknown>;

/** Whether a value is a JSON object: not null, not a list. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A value as a violation message names it: strings quoted, a missing value as `not set`. */
export function show(value: unknown): string {
  if (value === undefined || value === null) return "not set";
  return JSON.stringify(value);
}

/**
 * A count the providers carry as a number or as a decimal string (Vertex AI's int64 replica
 * counts, Azure Monitor's capacities): the number, or `undefined` when it is neither.
 */
export function toNumber(value: unknown): number | undefined {
  if (typeof value === "number") return value;
  if (typeof value === "string" && /^-?\d+(\.\d+)?$/.test(value.trim())) return Number(value);
  return undefined;
}

/** The elements of a list property, or none when it is not a list. */
export function listOf<T>(value: readonly T[] | undefined): readonly T[] {
  return Array.isArray(value) ? value : [];
}

/** `1,234.50` for money in messages. */
export function usd(amount: number): string {
  return `$${amount.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

/**
 * Whether a property holds a value, without reading it through the analyzer's unknown-checking
 * proxy (the property descriptor bypasses its `get` trap). A value a preview cannot know yet,
 * such as the id of a key created in the same update, counts as set: the resource names one.
 */
export function isSet(obj: object | undefined, key: string): boolean {
  const value = peek(obj, key);
  return value !== undefined && value !== null && value !== "";
}

/**
 * A property's value as the engine sent it, without the analyzer's unknown-checking proxy: a
 * value a preview cannot know yet is the engine's sentinel, which no check mistakes for a
 * setting, instead of an error that stops the policy.
 */
export function peek(obj: object | undefined, key: string): unknown {
  if (obj === undefined || obj === null) return undefined;
  return Object.getOwnPropertyDescriptor(obj, key)?.value as unknown;
}

/**
 * JSON text parsed, or `undefined` when the value is not text that holds JSON (`JSON.parse`
 * never returns `undefined`).
 */
export function parseJson(text: unknown): unknown {
  if (typeof text !== "string") return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** How much of a long value a message shows. */
const EXCERPT_LENGTH = 40;

/**
 * The start of a value as a message shows it: a text's first 40 characters quoted, any other
 * value's first 40 characters as JSON (`not set` when absent), with `...` when cut.
 */
export function excerpt(value: unknown): string {
  const text =
    typeof value === "string"
      ? value
      : value === undefined
        ? "not set"
        : (JSON.stringify(value) ?? String(value));
  const cut = text.length > EXCERPT_LENGTH ? text.slice(0, EXCERPT_LENGTH) : text;
  const shown = typeof value === "string" ? JSON.stringify(cut) : cut;
  return cut === text ? shown : `${shown}...`;
}
