// Checks shared by the programs here: each passing check is logged, the
// first failing one throws CheckError with what was expected and found.

export const log = (...args) => console.log(...args);

/** show renders a value for a log line: bigints as strings, bytes as base64. */
export const show = (v) =>
  JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? x.toString() : x instanceof Uint8Array ? Buffer.from(x).toString("base64") : x));

export class CheckError extends Error {}

export function check(cond, what, detail) {
  if (!cond) throw new CheckError(`check failed: ${what}${detail === undefined ? "" : `: ${show(detail)}`}`);
  log(`    ok  ${what}`);
}

export function checkEq(actual, expected, what) {
  check(actual === expected, `${what} = ${typeof expected === "bigint" ? expected.toString() : expected}`, { actual, expected });
}
