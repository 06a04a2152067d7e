// Drives the javacard.security / javacardx.crypto natives directly, through the VM's call
// interface, as bytecode would (vm.call of the API method with argument words): byte arrays
// are made on the card's heap, results read back, and Java Card exceptions turned into
// strings such as 'CryptoException 3' or 'NullPointerException'.

import { fromHex, hex } from '../../../loader/bytes.ts';
import { Card, type CardOptions } from '../../../runtime/card.ts';
import { Thrown } from '../../../vm/errors.ts';
import { Kind, type VmMethod } from '../../../vm/types.ts';

export { fromHex, hex };

export const SEC = 'javacard/security';
export const CRYPTOX = 'javacardx/crypto';

export class CryptoHarness {
  readonly card: Card;
  constructor(options: CardOptions = {}) {
    this.card = new Card(options);
    this.card.powerOn();
  }

  get jcre() {
    return this.card.jcre;
  }

  private staticMethod(cls: string, nameDesc: string): VmMethod {
    const m = this.jcre.api.cls(cls).statics.find((x) => x?.name === nameDesc);
    if (!m) throw new Error(`no static ${cls}.${nameDesc}`);
    return m;
  }

  /** A static API method (KeyBuilder.buildKey, Cipher.getInstance...). */
  call(cls: string, nameDesc: string, ...args: number[]): number {
    return this.jcre.vm.call(this.staticMethod(cls, nameDesc), args);
  }

  /** A virtual (or interface) method of an object, by name and descriptor. */
  invoke(obj: number, nameDesc: string, ...args: number[]): number {
    const o = this.jcre.heap.get(obj);
    if (!o || !o.cls) throw new Error(`no object ${obj}`);
    const m = o.cls.vtable.find((x) => x?.name === nameDesc);
    if (!m) throw new Error(`${o.cls.name} has no method ${nameDesc}`);
    return this.jcre.vm.call(m, [obj, ...args]);
  }

  /** `new cls` followed by its constructor (KeyPair). */
  construct(cls: string, desc: string, ...args: number[]): number {
    const h = this.jcre.heap.newInstance(this.jcre.api.cls(cls), this.jcre.context);
    this.jcre.vm.call(this.staticMethod(cls, `<init>${desc}`), [h, ...args]);
    return h;
  }

  /** A byte array holding `bytes` (hex or bytes), or of `n` zero bytes. */
  bytes(data: string | Uint8Array | number): number {
    const b = typeof data === 'number' ? new Uint8Array(data) : typeof data === 'string' ? fromHex(data) : data;
    const h = this.jcre.heap.newArray(Kind.ByteArray, b.length, this.jcre.context);
    (this.jcre.heap.get(h)!.data as Int8Array).set(new Int8Array(b.buffer, b.byteOffset, b.length));
    return h;
  }

  /** Bytes [off, off+len) of a byte array as upper-case hex. */
  read(h: number, off = 0, len?: number): string {
    const d = this.jcre.heap.get(h)!.data as Int8Array;
    return hex(new Uint8Array(d.buffer, d.byteOffset + off, len ?? d.length - off));
  }

  /** 'ok', or the Java Card exception `fn` throws ('CryptoException 3', 'NullPointerException'). */
  outcome(fn: () => unknown): string {
    try {
      fn();
      return 'ok';
    } catch (e) {
      if (!(e instanceof Thrown)) throw e;
      const o = this.jcre.heap.get(e.handle)!;
      const name = o.cls!.name.slice(o.cls!.name.lastIndexOf('/') + 1);
      const reasoned = o.cls!.isSubclassOf(this.jcre.api.cls('javacard/framework/CardRuntimeException'));
      return reasoned && typeof o.native === 'number' ? `${name} ${o.native}` : name;
    }
  }

  // --- Shorthands ---------------------------------------------------------------------------

  buildKey(type: number, bits: number): number {
    return this.call(`${SEC}/KeyBuilder`, `buildKey(BSZ)L${SEC}/Key;`, type, bits, 0);
  }

  /** key.setX(bytes) for a ([BSS)V setter, or ([BS)V when `fixed`. */
  set(key: number, setter: string, data: string, fixed = false): void {
    const h = this.bytes(data);
    if (fixed) this.invoke(key, `${setter}([BS)V`, h, 0);
    else this.invoke(key, `${setter}([BSS)V`, h, 0, fromHex(data).length);
  }

  /** key.getX(buf, 0) -> hex of the returned length. */
  get(key: number, getter: string, desc = '([BS)S'): string {
    const buf = this.bytes(600);
    const n = this.invoke(key, `${getter}${desc}`, buf, 0) & 0xffff;
    return this.read(buf, 0, n);
  }

  cipher(alg: number): number {
    return this.call(`${CRYPTOX}/Cipher`, `getInstance(BZ)L${CRYPTOX}/Cipher;`, alg, 0);
  }

  signature(alg: number): number {
    return this.call(`${SEC}/Signature`, `getInstance(BZ)L${SEC}/Signature;`, alg, 0);
  }

  digest(alg: number): number {
    return this.call(`${SEC}/MessageDigest`, `getInstance(BZ)L${SEC}/MessageDigest;`, alg, 0);
  }

  /** doFinal(in) of a Cipher: output hex. */
  doFinal(cipher: number, input: string): string {
    const inH = this.bytes(input);
    const out = this.bytes(input.length / 2 + 600);
    const n = this.invoke(cipher, 'doFinal([BSS[BS)S', inH, 0, input.length / 2, out, 0);
    return this.read(out, 0, n);
  }

  /** update(in) of a Cipher: output hex. */
  update(cipher: number, input: string): string {
    const inH = this.bytes(input);
    const out = this.bytes(input.length / 2 + 64);
    const n = this.invoke(cipher, 'update([BSS[BS)S', inH, 0, input.length / 2, out, 0);
    return this.read(out, 0, n);
  }

  initCipher(cipher: number, key: number, mode: number, iv?: string): void {
    if (iv === undefined) this.invoke(cipher, `init(L${SEC}/Key;B)V`, key, mode);
    else this.invoke(cipher, `init(L${SEC}/Key;B[BSS)V`, key, mode, this.bytes(iv), 0, iv.length / 2);
  }

  initSignature(sig: number, key: number, mode: number, iv?: string): void {
    if (iv === undefined) this.invoke(sig, `init(L${SEC}/Key;B)V`, key, mode);
    else this.invoke(sig, `init(L${SEC}/Key;B[BSS)V`, key, mode, this.bytes(iv), 0, iv.length / 2);
  }

  sign(sig: number, msg: string): string {
    const out = this.bytes(600);
    const n = this.invoke(sig, 'sign([BSS[BS)S', this.bytes(msg), 0, msg.length / 2, out, 0);
    return this.read(out, 0, n);
  }

  verify(sig: number, msg: string, signature: string): boolean {
    return this.invoke(sig, 'verify([BSS[BSS)Z', this.bytes(msg), 0, msg.length / 2, this.bytes(signature), 0, signature.length / 2) === 1;
  }
}

/** Hex with the last byte's low bit flipped. */
export const flipLast = (h: string): string => h.slice(0, -2) + (parseInt(h.slice(-2), 16) ^ 1).toString(16).toUpperCase().padStart(2, '0');

/** The bytes of an ASCII string as hex. */
export const ascii = (s: string): string => hex(new TextEncoder().encode(s));
