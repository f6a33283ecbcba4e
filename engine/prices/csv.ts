/** One CSV record: its text and the line of the file it starts on (1-based). */
export interface CsvRecord {
  text: string;
  line: number;
}

function quoteCount(text: string): number {
  let count = 0;
  for (let i = text.indexOf('"'); i !== -1; i = text.indexOf('"', i + 1)) {
    count++;
  }
  return count;
}

/**
 * Joins physical lines into CSV records: a line break inside a quoted field continues the
 * record. Fields are not split here, so a caller can skip records it has no use for cheaply.
 */
export async function* csvRecords(lines: AsyncIterable<string>): AsyncGenerator<CsvRecord> {
  let pending: string[] = [];
  let quotes = 0;
  let start = 0;
  let lineNumber = 0;
  for await (const line of lines) {
    lineNumber++;
    if (pending.length === 0) {
      start = lineNumber;
    }
    pending.push(line);
    quotes += quoteCount(line);
    if (quotes % 2 === 0) {
      yield { text: pending.join("\n"), line: start };
      pending = [];
      quotes = 0;
    }
  }
  if (pending.length > 0) {
    throw new Error(`the quoted field opened on line ${start} is never closed`);
  }
}

/**
 * The fields of one CSV record (RFC 4180): a field is bare or in double quotes, and `""` inside
 * quotes is one quote. Throws on a quote inside a bare field or text after a closing quote.
 */
export function parseCsvRecord(text: string): string[] {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    if (text[i] === '"') {
      let value = "";
      let from = i + 1;
      for (;;) {
        const quote = text.indexOf('"', from);
        if (quote === -1) {
          throw new Error(`unclosed quote at character ${i + 1}`);
        }
        value += text.slice(from, quote);
        if (text[quote + 1] === '"') {
          value += '"';
          from = quote + 2;
          continue;
        }
        i = quote + 1;
        break;
      }
      fields.push(value);
      if (i < text.length && text[i] !== ",") {
        throw new Error(`text after the closing quote at character ${i + 1}`);
      }
    } else {
      const comma = text.indexOf(",", i);
      const value = comma === -1 ? text.slice(i) : text.slice(i, comma);
      if (value.includes('"')) {
        throw new Error(`a quote inside the unquoted field at character ${i + 1}`);
      }
      fields.push(value);
      i = comma === -1 ? text.length : comma;
    }
    if (i >= text.length) {
      return fields;
    }
    i++;
  }
}
