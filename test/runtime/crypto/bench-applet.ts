// A small JCA applet that drives the crypto API from bytecode: KeyPair (RSA-2048 CRT and EC
// P-256 with the card's default curve) generated in the constructor, then one INS per
// workload, repeated P1P2 times on a 1 KiB CLEAR_ON_RESET buffer (message = buf[0..32],
// signature at buf[256..]):
//   INS 20 RSA-2048 ALG_RSA_SHA_256_PKCS1 sign      -> buf[256..288]
//   INS 21 ECDSA P-256 ALG_ECDSA_SHA_256 sign       -> buf[256..264] (DER head); its length in buf[255]
//   INS 22 AES-128 CBC NOPAD encrypt of buf[0..1024] in place (zero key, zero IV) -> buf[0..32]
//   INS 23 SHA-256 of buf[0..1024] into buf[0..32]  -> buf[0..32]
//   INS 24 RSA verify of buf[256..512] over buf[0..32]   -> 01 / 00
//   INS 25 ECDSA verify of buf[256..] (length buf[255]) -> 01 / 00
// Used by bytecode.test.ts and by bench.ts (operations per second through an applet).

import { jcaCard } from '../helpers.ts';
import type { Card, CardOptions } from '../../../runtime/card.ts';

export const BENCH_PKG = 'F04A43564D7E';
export const BENCH_AID = 'F04A43564D7E01';

const CP = [
  'staticMethodRef 0.3.0()V;', // 0 Applet.<init>
  'virtualMethodRef 0.3.1()V;', // 1 register
  'virtualMethodRef 0.3.3()Z;', // 2 selectingApplet
  'virtualMethodRef 0.10.1()[B;', // 3 getBuffer
  'staticMethodRef 0.8.13(SB)[B;', // 4 makeTransientByteArray
  'staticMethodRef 0.16.4([BS)S;', // 5 Util.getShort
  'staticMethodRef 0.7.1(S)V;', // 6 ISOException.throwIt
  'virtualMethodRef 0.10.7()S;', // 7 setOutgoing
  'virtualMethodRef 0.10.9(S)V;', // 8 setOutgoingLength
  'virtualMethodRef 0.10.5([BSS)V;', // 9 sendBytesLong
  'instanceFieldRef byte[] Bench/buf;', // 10
  'instanceFieldRef 1.16 Bench/rsaPair;', // 11
  'instanceFieldRef 1.15 Bench/rsaSig;', // 12
  'instanceFieldRef 1.16 Bench/ecPair;', // 13
  'instanceFieldRef 1.15 Bench/ecSig;', // 14
  'instanceFieldRef 1.20 Bench/aesKey;', // 15
  'instanceFieldRef 2.1 Bench/aes;', // 16
  'instanceFieldRef 1.11 Bench/sha;', // 17
  '.classRef 1.16;', // 18 KeyPair
  'staticMethodRef 1.16.0(BS)V;', // 19 KeyPair.<init>(BS)V
  'virtualMethodRef 1.16.1()V;', // 20 genKeyPair
  'virtualMethodRef 1.16.2()Ljavacard/security/PrivateKey;;\n\t\t\t.descriptor\tLjavacard/security/PrivateKey;\t1.2;', // 21 getPrivate
  'virtualMethodRef 1.16.3()Ljavacard/security/PublicKey;;\n\t\t\t.descriptor\tLjavacard/security/PublicKey;\t1.3;', // 22 getPublic
  'staticMethodRef 1.15.0(BZ)Ljavacard/security/Signature;;\n\t\t\t.descriptor\tLjavacard/security/Signature;\t1.15;', // 23 Signature.getInstance
  'virtualMethodRef 1.15.3(Ljavacard/security/Key;B)V;\n\t\t\t.descriptor\tLjavacard/security/Key;\t1.0;', // 24 Signature.init
  'virtualMethodRef 1.15.5([BSS[BS)S;', // 25 sign
  'virtualMethodRef 1.15.7([BSS[BSS)Z;', // 26 verify
  'staticMethodRef 1.13.0(BSZ)Ljavacard/security/Key;;\n\t\t\t.descriptor\tLjavacard/security/Key;\t1.0;', // 27 buildKey
  '.classRef 1.20;', // 28 AESKey
  'staticMethodRef 2.1.0(BZ)Ljavacardx/crypto/Cipher;;\n\t\t\t.descriptor\tLjavacardx/crypto/Cipher;\t2.1;', // 29 Cipher.getInstance
  'virtualMethodRef 2.1.3(Ljavacard/security/Key;B)V;\n\t\t\t.descriptor\tLjavacard/security/Key;\t1.0;', // 30 Cipher.init
  'virtualMethodRef 2.1.1([BSS[BS)S;', // 31 Cipher.doFinal
  'staticMethodRef 1.11.0(BZ)Ljavacard/security/MessageDigest;;\n\t\t\t.descriptor\tLjavacard/security/MessageDigest;\t1.11;', // 32 MessageDigest.getInstance
  'virtualMethodRef 1.11.1([BSS[BS)S;', // 33 MessageDigest.doFinal
  '.classRef Bench;', // 34
  'staticMethodRef Bench/<init>()V;', // 35
];

/** The JCA text of the applet. */
export function benchJca(): string {
  const cp = CP.map((e, i) => `\t\t// ${i}\n\t\t${e}`).join('\n');
  const loop = (label: string, body: string): string => `
			${label}:	sload_3;
				ifle ${label}E;
${body}
				sinc 3 -1;
				goto ${label};
			${label}E:	nop;`;
  return `.package jcvmtest/cryptobench {
	.aid 0xF0:0x4A:0x43:0x56:0x4D:0x7E;
	.version 1.0;

	.imports {
		0xA0:0x0:0x0:0x0:0x62:0x1:0x1 1.6;		//javacard/framework
		0xA0:0x0:0x0:0x0:0x62:0x1:0x2 1.6;		//javacard/security
		0xA0:0x0:0x0:0x0:0x62:0x2:0x1 1.6;		//javacardx/crypto
		0xA0:0x0:0x0:0x0:0x62:0x0:0x1 1.0;		//java/lang
	}

	.applet {
		0xF0:0x4A:0x43:0x56:0x4D:0x7E:0x1 Bench;
	}

	.constantPool {
${cp}
	}

	.class public Bench 0 extends 0.3 {

		.fields {
			private byte[] buf 0;
			private 1.16 rsaPair 1;
			private 1.15 rsaSig 2;
			private 1.16 ecPair 3;
			private 1.15 ecSig 4;
			private 1.20 aesKey 5;
			private 2.1 aes 6;
			private 1.11 sha 7;
		}

		.publicMethodTable 7 {
			equals(Ljava/lang/Object;)Z;
			register()V;
			register([BSB)V;
			selectingApplet()Z;
			deselect()V;
			getShareableInterfaceObject(Ljavacard/framework/AID;B)Ljavacard/framework/Shareable;;
			select()Z;
			process(Ljavacard/framework/APDU;)V;
		}

		.packageMethodTable 0 {
		}

		.method private <init>()V {
			.stack 6;
			.locals 0;
				aload_0;
				invokespecial 0;
				aload_0; sspush 1024; sconst_1; invokestatic 4; putfield_a 10;
				aload_0; new 18; dup; sconst_2; sspush 2048; invokespecial 19; putfield_a 11;
				getfield_a_this 11; invokevirtual 20;
				aload_0; bspush 40; sconst_0; invokestatic 23; putfield_a 12;
				aload_0; new 18; dup; sconst_5; sspush 256; invokespecial 19; putfield_a 13;
				getfield_a_this 13; invokevirtual 20;
				aload_0; bspush 33; sconst_0; invokestatic 23; putfield_a 14;
				aload_0; bspush 15; sspush 128; sconst_0; invokestatic 27; checkcast 0 28; putfield_a 15;
				getfield_a_this 15; getfield_a_this 10; sconst_0; invokeinterface 3 28 4;
				aload_0; bspush 13; sconst_0; invokestatic 29; putfield_a 16;
				aload_0; sconst_4; sconst_0; invokestatic 32; putfield_a 17;
				aload_0;
				invokevirtual 1;
				return;
		}

		.method public static install([BSB)V 0 {
			.stack 2;
			.locals 0;
				new 34;
				dup;
				invokespecial 35;
				pop;
				return;
		}

		.method public process(Ljavacard/framework/APDU;)V 7 {
			.stack 8;
			.locals 4;
			.descriptor	Ljavacard/framework/APDU;	0.10;
				aload_0;
				invokevirtual 2;
				ifeq L1;
				return;
			L1:	aload_1;
				invokevirtual 3;
				astore_2;
				aload_2; sconst_2; invokestatic 5; sstore_3;
				sspush 256; sstore 4;
				bspush 32; sstore 5;
				aload_2; sconst_1; baload;
				slookupswitch LDEF 6 32 R20 33 R21 34 R22 35 R23 36 R24 37 R25;
			R20:	getfield_a_this 12; getfield_a_this 11; invokevirtual 21; sconst_1; invokevirtual 24;
${loop('S20', '				getfield_a_this 12; getfield_a_this 10; sconst_0; bspush 32; getfield_a_this 10; sspush 256; invokevirtual 25; pop;')}
				goto_w SEND;
			R21:	getfield_a_this 14; getfield_a_this 13; invokevirtual 21; sconst_1; invokevirtual 24;
${loop('S21', '				getfield_a_this 10; sspush 255; getfield_a_this 14; getfield_a_this 10; sconst_0; bspush 32; getfield_a_this 10; sspush 256; invokevirtual 25; bastore;')}
				bspush 8; sstore 5;
				goto_w SEND;
			R22:	getfield_a_this 16; getfield_a_this 15; sconst_2; invokevirtual 30;
${loop('S22', '				getfield_a_this 16; getfield_a_this 10; sconst_0; sspush 1024; getfield_a_this 10; sconst_0; invokevirtual 31; pop;')}
				sconst_0; sstore 4;
				goto_w SEND;
			R23:	nop;
${loop('S23', '				getfield_a_this 17; getfield_a_this 10; sconst_0; sspush 1024; getfield_a_this 10; sconst_0; invokevirtual 33; pop;')}
				sconst_0; sstore 4;
				goto_w SEND;
			R24:	getfield_a_this 12; getfield_a_this 11; invokevirtual 22; sconst_2; invokevirtual 24;
				aload_2; sconst_0;
				getfield_a_this 12; getfield_a_this 10; sconst_0; bspush 32; getfield_a_this 10; sspush 256; sspush 256; invokevirtual 26;
				bastore;
				goto_w ONE;
			R25:	getfield_a_this 14; getfield_a_this 13; invokevirtual 22; sconst_2; invokevirtual 24;
				aload_2; sconst_0;
				getfield_a_this 14; getfield_a_this 10; sconst_0; bspush 32; getfield_a_this 10; sspush 256; getfield_a_this 10; sspush 255; baload; invokevirtual 26;
				bastore;
				goto_w ONE;
			LDEF:	sspush 27904;
				invokestatic 6;
			ONE:	aload_1; invokevirtual 7; pop;
				aload_1; sconst_1; invokevirtual 8;
				aload_1; aload_2; sconst_0; sconst_1; invokevirtual 9;
				return;
			SEND:	aload_1; invokevirtual 7; pop;
				aload_1; sload 5; invokevirtual 8;
				aload_1; getfield_a_this 10; sload 4; sload 5; invokevirtual 9;
				return;
		}
	}
}
`;
}

/** A powered card with the bench applet installed and selected. */
export function benchCard(options: CardOptions = {}): Card {
  return jcaCard(benchJca(), BENCH_PKG, BENCH_AID, options);
}
