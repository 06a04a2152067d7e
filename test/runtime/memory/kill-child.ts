// Child process of kill.test.ts: opens a card image holding the txn applet and runs APDUs
// against it until it is killed. Iteration k sets pdata to eight bytes k & FF and sfield to k
// in one transaction (INS 02), then increments the persistent counter (INS 0B); after both it
// prints "ack k". On start it finishes an iteration a kill cut between its two APDUs.
import { writeSync } from 'node:fs';
import { fromHex, hex } from '../../../loader/bytes.ts';
import { Card } from '../../../runtime/card.ts';

const file = process.argv[2]!;
const card = new Card({ cardFile: file });
card.powerOn();
const send = (apdu: string): string => {
  const r = hex(card.transmit(fromHex(apdu)));
  if (!r.endsWith('9000')) throw new Error(`${apdu} answered ${r}`);
  return r;
};
send('00A4040007F04A43564D0501');
const state = send('80010000');
let k = parseInt(state.slice(16, 20), 16);
const counter = parseInt(send('800A0000').slice(12, 16), 16);
if (counter === k - 1) send('800B0000'); // the kill came between INS 02 and INS 0B of iteration k
else if (counter !== k) throw new Error(`state ${state}: counter ${counter} does not follow sfield ${k}`);
writeSync(1, `start ${k}\n`);
for (;;) {
  k++;
  const b = (k & 0xff).toString(16).padStart(2, '0');
  send(`8002${k.toString(16).padStart(4, '0')}08${b.repeat(8)}`);
  send('800B0000');
  writeSync(1, `ack ${k}\n`);
}
