// javacard.framework.APDU natives: the incoming/outgoing state machine of the API spec,
// with the behaviour of Oracle's reference implementation where the spec leaves room
// (corpus README: Le is not enforced; setOutgoing answers 256 when there is no Le;
// setIncomingAndReceive on a command without data is APDUException IO_ERROR).

import type { Vm } from '../../vm/interpreter.ts';
import type { NativeTable } from './registry.ts';
import { ApduStateCode as S, channelOf } from '../apdu.ts';
import type { Jcre } from '../jcre.ts';
import { array, checkRange, FW } from './common.ts';

const APDU = `${FW}/APDU`;
const APDU_EX = `${FW}/APDUException`;
const ILLEGAL_USE = 1, BUFFER_BOUNDS = 2, BAD_LENGTH = 3, IO_ERROR = 4;
const PROTOCOL_T0 = 0, PROTOCOL_T1 = 1; // media bits (high nibble) 0: PROTOCOL_MEDIA_DEFAULT, contacts

export function apduNatives(rt: Jcre): NativeTable {
  const fail = (reason: number): never => rt.throwException(APDU_EX, reason);

  /** Move the next block of command data into the buffer at `off`. */
  const receive = (off: number): number => {
    const s = rt.apdu, buf = rt.apduBuffer;
    const left = s.parsed.nc - s.received;
    if (left === 0) {
      s.state = S.FULL_INCOMING;
      return 0;
    }
    const n = Math.min(left, buf.length - off);
    if (n <= 0 || off < 0) fail(BUFFER_BOUNDS);
    const from = s.parsed.dataOffset + s.received;
    buf.set(s.cmd.subarray(from, from + n) as unknown as Int8Array, off);
    s.received += n;
    s.state = s.received === s.parsed.nc ? S.FULL_INCOMING : S.PARTIAL_INCOMING;
    return n;
  };

  const setOutgoing = (): number => {
    const s = rt.apdu;
    if (s.state >= S.OUTGOING) fail(ILLEGAL_USE);
    s.state = S.OUTGOING;
    return s.parsed.hasLe ? Math.min(s.parsed.ne, 0x7fff) : 256;
  };

  const setOutgoingLength = (len: number): void => {
    const s = rt.apdu;
    if (s.state !== S.OUTGOING) fail(ILLEGAL_USE);
    // API, APDUException.BAD_LENGTH: above 256 only when the selected applet does not implement
    // ExtendedLength (whatever the form of the command APDU).
    const extended = rt.selected?.cls.isSubclassOf(rt.api.cls('javacardx/apdu/ExtendedLength')) ?? false;
    if (len < 0 || len > (extended ? 0x7fff : 256)) fail(BAD_LENGTH);
    s.outLength = len;
    s.state = S.OUTGOING_LENGTH_KNOWN;
  };

  const send = (data: Int8Array, off: number, len: number): void => {
    const s = rt.apdu;
    if (s.state !== S.OUTGOING_LENGTH_KNOWN && s.state !== S.PARTIAL_OUTGOING) fail(ILLEGAL_USE);
    if (s.sent + len > s.outLength) fail(ILLEGAL_USE);
    s.chunks.push(new Uint8Array(data.buffer, data.byteOffset + off, len).slice());
    s.outBytes += len;
    s.sent += len;
    s.state = s.sent === s.outLength ? S.FULL_OUTGOING : S.PARTIAL_OUTGOING;
  };

  const sendBytes = (off: number, len: number): void => {
    const buf = rt.apduBuffer;
    if (off < 0 || len < 0 || off + len > buf.length) fail(BUFFER_BOUNDS);
    send(buf, off, len);
  };

  const cla = (): number => rt.apdu.cmd[0]!;

  return {
    [`${APDU}.getBuffer()[B`]: () => rt.apduBufferHandle,
    [`${APDU}.setIncomingAndReceive()S`]: () => {
      const s = rt.apdu;
      if (s.state !== S.INITIAL) fail(ILLEGAL_USE);
      if (s.parsed.nc === 0) fail(IO_ERROR);
      return receive(s.parsed.dataOffset);
    },
    [`${APDU}.receiveBytes(S)S`]: (vm: Vm, b: number) => {
      const s = rt.apdu;
      if (s.state !== S.PARTIAL_INCOMING && s.state !== S.FULL_INCOMING) fail(ILLEGAL_USE);
      return receive(vm.stack[b + 1]!);
    },
    [`${APDU}.getIncomingLength()S`]: () => rt.apdu.parsed.nc << 16 >> 16,
    [`${APDU}.getOffsetCdata()S`]: () => rt.apdu.parsed.dataOffset,
    [`${APDU}.setOutgoing()S`]: setOutgoing,
    [`${APDU}.setOutgoingNoChaining()S`]: setOutgoing,
    [`${APDU}.setOutgoingLength(S)V`]: (vm: Vm, b: number) => setOutgoingLength(vm.stack[b + 1]!),
    [`${APDU}.sendBytes(SS)V`]: (vm: Vm, b: number) => sendBytes(vm.stack[b + 1]!, vm.stack[b + 2]!),
    [`${APDU}.sendBytesLong([BSS)V`]: (vm: Vm, b: number) => {
      const o = array(vm, vm.stack[b + 1]!), off = vm.stack[b + 2]!, len = vm.stack[b + 3]!;
      checkRange(vm, o, off, len);
      send(o.data as Int8Array, off, len);
    },
    [`${APDU}.setOutgoingAndSend(SS)V`]: (vm: Vm, b: number) => {
      const off = vm.stack[b + 1]!, len = vm.stack[b + 2]!;
      setOutgoing();
      setOutgoingLength(len);
      sendBytes(off, len);
    },
    [`${APDU}.getCurrentState()B`]: () => rt.apdu.state,
    [`${APDU}.getNAD()B`]: () => (rt.link.protocol === 'T=1' ? rt.link.nad << 24 >> 24 : 0),
    [`${APDU}.isCommandChainingCLA()Z`]: () => ((cla() & 0x80) === 0 && (cla() & 0x10) !== 0 ? 1 : 0),
    [`${APDU}.isSecureMessagingCLA()Z`]: () => {
      const c = cla();
      if ((c & 0x80) !== 0) return 0;
      return ((c & 0x40) === 0 ? (c & 0x0c) !== 0 : (c & 0x20) !== 0) ? 1 : 0;
    },
    [`${APDU}.isISOInterindustryCLA()Z`]: () => ((cla() & 0x80) === 0 ? 1 : 0),
    [`${APDU}.isValidCLA()Z`]: () => (cla() !== 0xff ? 1 : 0),
    [`${APDU}.getProtocol()B`]: () => (rt.link.protocol === 'T=1' ? PROTOCOL_T1 : PROTOCOL_T0),
    [`${APDU}.getInBlockSize()S`]: () => rt.link.inBlockSize,
    [`${APDU}.getOutBlockSize()S`]: () => rt.link.outBlockSize,
    [`${APDU}.getCLAChannel()B`]: () => channelOf(cla()),
    [`${APDU}.getCurrentAPDU()L${APDU};`]: () => rt.apduHandle,
    [`${APDU}.getCurrentAPDUBuffer()[B`]: () => rt.apduBufferHandle,
    [`${APDU}.waitExtension()V`]: () => {
      rt.link.waitExtensions++; // T=1: S(WTX request), T=0: a NULL byte (runtime/transport)
    },
  };
}
