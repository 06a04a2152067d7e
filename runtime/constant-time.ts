// Comparison of secrets (PINs, authentication cryptograms) whose running time and memory
// reads do not depend on where the values differ (issue 8, item 7): every byte of both slots
// is read and combined, and only the end result is tested.

/**
 * Whether the first `storedLength` bytes at `stored[storedOffset]` equal the `givenLength`
 * bytes at `given[givenOffset]`. Reads exactly `slot` elements of each array whatever their
 * contents (bytes past a value's length are masked to 0, so stale bytes after a shorter value
 * do not matter); the lengths must not exceed `slot`. The work depends on `slot` alone.
 */
export function secretEquals(
  stored: ArrayLike<number>,
  storedOffset: number,
  storedLength: number,
  given: ArrayLike<number>,
  givenOffset: number,
  givenLength: number,
  slot: number,
): boolean {
  let diff = storedLength ^ givenLength;
  for (let i = 0; i < slot; i++) {
    const s = (stored[storedOffset + i] ?? 0) & -(i < storedLength ? 1 : 0);
    const g = (given[givenOffset + i] ?? 0) & -(i < givenLength ? 1 : 0);
    diff |= (s ^ g) & 0xff;
  }
  return diff === 0;
}

/** Whether two byte strings are equal, reading every byte whatever the contents (false at once when the lengths differ: lengths are not secret). */
export function sameBytes(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i]! ^ b[i]!;
  return d === 0;
}
