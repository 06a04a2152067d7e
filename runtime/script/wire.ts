// The command APDU as apdutool 2.2.2 puts it on the wire (ISO 7816-4 clause 5.1).
// A written Le of 0 means "no Le field", so the case follows from (data length, Le):
//   short:    case 1  CLA INS P1 P2
//             case 2  CLA INS P1 P2 Le
//             case 3  CLA INS P1 P2 Lc data
//             case 4  CLA INS P1 P2 Lc data Le
//   extended: case 2E CLA INS P1 P2 00 LeHi LeLo
//             case 3E CLA INS P1 P2 00 LcHi LcLo data
//             case 4E CLA INS P1 P2 00 LcHi LcLo data LeHi LeLo
// With neither data nor Le an extended-mode command is the same 4 bytes as case 1 (no
// sample of it in the corpus; ISO 7816-4 has no extended form of case 1).

export function encodeCommand(
  header: readonly [number, number, number, number],
  data: Uint8Array,
  le: number,
  extended: boolean,
): Uint8Array {
  const lc = data.length;
  const before: number[] = [...header];
  const after: number[] = [];
  if (extended) {
    if (lc > 0 || le > 0) before.push(0x00);
    if (lc > 0) before.push(lc >> 8, lc & 0xff);
    if (le > 0) after.push(le >> 8, le & 0xff);
  } else {
    if (lc > 0) before.push(lc);
    if (le > 0) after.push(le);
  }
  const out = new Uint8Array(before.length + lc + after.length);
  out.set(before);
  out.set(data, before.length);
  out.set(after, before.length + lc);
  return out;
}
