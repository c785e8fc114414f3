/**
 * A small RFC 4180 CSV parser that remembers the 1-based line each record starts on, so malformed
 * rows can be reported as `file:line`. Quoted fields may hold commas, quotes ("") and newlines.
 */

/** One parsed record. */
export interface CsvRecord {
  /** Line the record starts on (1-based line). */
  line: number;
  /** Field values (text). */
  fields: string[];
  /** Set when the record is malformed (e.g. an unterminated quote) (text). */
  error?: string;
}

/** Parses CSV text into records (the header is record 0). */
export function parseCsv(text: string): CsvRecord[] {
  const out: CsvRecord[] = [];
  let i = 0;
  let line = 1;
  const n = text.length;
  if (text.charCodeAt(0) === 0xfeff) i = 1;
  while (i < n) {
    const startLine = line;
    const fields: string[] = [];
    let field = "";
    let error: string | undefined;
    let endOfRecord = false;
    while (!endOfRecord) {
      if (i < n && text[i] === '"') {
        i++;
        let closed = false;
        while (i < n) {
          const c = text[i];
          if (c === '"') {
            if (text[i + 1] === '"') {
              field += '"';
              i += 2;
              continue;
            }
            i++;
            closed = true;
            break;
          }
          if (c === "\n") line++;
          field += c;
          i++;
        }
        if (!closed) error = "unterminated quoted field";
        // Anything between the closing quote and the delimiter is malformed.
        while (i < n && text[i] !== "," && text[i] !== "\n" && text[i] !== "\r") {
          error ??= "characters after a closing quote";
          i++;
        }
      } else {
        while (i < n && text[i] !== "," && text[i] !== "\n" && text[i] !== "\r") field += text[i++];
      }
      fields.push(field);
      field = "";
      if (i < n && text[i] === ",") {
        i++;
        continue;
      }
      if (i < n && text[i] === "\r") i++;
      if (i < n && text[i] === "\n") {
        i++;
        line++;
      }
      endOfRecord = true;
    }
    const blank = fields.length === 1 && fields[0] === "" && error === undefined;
    if (!blank)
      out.push(error === undefined ? { line: startLine, fields } : { line: startLine, fields, error });
  }
  return out;
}
