// Hex helpers shared by the script formatter and the suite reader.

/** Two lowercase hex digits, as apdutool prints a byte. */
export const hex2 = (b: number): string => (b & 0xff).toString(16).padStart(2, '0');

/** "F04A43564D0101" (any case, no separators; may be empty) → bytes; throws on anything else. */
export function hexToBytes(hex: string): Uint8Array {
  if (!/^([0-9a-fA-F]{2})*$/.test(hex)) throw new Error(`not an even-length hex string: "${hex}"`);
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}
