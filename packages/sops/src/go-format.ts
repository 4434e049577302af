// Go's number and bool text forms, which decide the bytes sops encrypts and hashes into the MAC.

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

function splitShortest(value: number): { negative: boolean; digits: string; exponent: number } {
  // toExponential() without an argument gives the shortest round-trip digits, like Go's -1 precision.
  const text = Math.abs(value).toExponential();
  const [mantissa = "0", exp = "0"] = text.split("e");
  return { negative: value < 0 || Object.is(value, -0), digits: mantissa.replace(".", ""), exponent: Number(exp) };
}

function specialFloat(value: number, inf: string, negInf: string, nan: string): string | undefined {
  if (Number.isNaN(value)) return nan;
  if (value === Number.POSITIVE_INFINITY) return inf;
  if (value === Number.NEGATIVE_INFINITY) return negInf;
  return undefined;
}

/** `strconv.FormatFloat(v, 'f', -1, 64)`: shortest digits, never an exponent. The MAC/plaintext form. */
export function formatFloatF(value: number): string {
  const special = specialFloat(value, "+Inf", "-Inf", "NaN");
  if (special) return special;
  const { negative, digits, exponent } = splitShortest(value);
  let out: string;
  if (exponent >= 0) {
    const intPart = digits.slice(0, exponent + 1).padEnd(exponent + 1, "0");
    const frac = digits.slice(exponent + 1);
    out = frac ? `${intPart}.${frac}` : intPart;
  } else {
    out = `0.${"0".repeat(-exponent - 1)}${digits}`;
  }
  return negative ? `-${out}` : out;
}

/** `strconv.FormatFloat(v, 'g', -1, 64)` with yaml.v3's `.inf`/`.nan`: how go-yaml writes a float. */
export function formatFloatYaml(value: number): string {
  const special = specialFloat(value, ".inf", "-.inf", ".nan");
  if (special) return special;
  const { negative, digits, exponent } = splitShortest(value);
  if (exponent < -4 || exponent >= 6) {
    const mantissa = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const abs = Math.abs(exponent);
    const out = `${mantissa}e${exponent < 0 ? "-" : "+"}${abs < 10 ? `0${abs}` : abs}`;
    return negative ? `-${out}` : out;
  }
  return formatFloatF(value);
}

/** Go `encoding/json` float64 text (ES6 number formatting, the same as JS). */
export function formatFloatJson(value: number): string {
  if (!Number.isFinite(value)) throw new Error(`json: unsupported value: ${value}`);
  return Object.is(value, -0) ? "-0" : String(value);
}

/** Go `strconv.ParseBool`. */
export function parseGoBool(text: string): boolean | undefined {
  if (["1", "t", "T", "TRUE", "true", "True"].includes(text)) return true;
  if (["0", "f", "F", "FALSE", "false", "False"].includes(text)) return false;
  return undefined;
}

/** Go `strconv.Atoi` on 64-bit: optional sign and decimal digits within int64. */
export function parseGoInt(text: string): bigint | undefined {
  if (!/^[+-]?[0-9]+$/.test(text)) return undefined;
  const value = BigInt(text);
  return value < INT64_MIN || value > INT64_MAX ? undefined : value;
}

/** Go `strconv.ParseInt(s, 0, 64)`: sign, then 0x/0o/0b prefixes or a leading 0 for octal. */
export function parseGoIntBase0(text: string): bigint | undefined {
  const match = /^([+-]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/.exec(text);
  if (!match) return undefined;
  const sign = match[1] === "-" ? -1n : 1n;
  let body = match[2]!;
  if (/^0[0-7]+$/.test(body)) body = `0o${body.slice(1)}`;
  else if (/^0[oObBxX]/.test(body)) body = `0${body[1]!.toLowerCase()}${body.slice(2)}`;
  const value = sign * BigInt(body);
  return value < INT64_MIN || value > INT64_MAX ? undefined : value;
}

/** Go `strconv.ParseFloat(s, 64)` for the forms sops meets (decimal, exponent, Inf, NaN). */
export function parseGoFloat(text: string): number | undefined {
  const lower = text.toLowerCase();
  if (["+inf", "inf", "+infinity", "infinity"].includes(lower)) return Number.POSITIVE_INFINITY;
  if (["-inf", "-infinity"].includes(lower)) return Number.NEGATIVE_INFINITY;
  if (lower === "nan") return Number.NaN;
  const clean = text.replaceAll("_", "");
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(clean)) return undefined;
  return Number(clean);
}
