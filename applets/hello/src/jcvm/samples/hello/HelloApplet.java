/*
 * jcvm sample applet "hello".
 *
 * This file documents hello.jca, which was written by hand in the converter's JCA form; it is
 * the Java source that hello.jca is equivalent to.  It is not compiled by the build.
 *
 * Package jcvm.samples.hello  AID F0 4A 43 56 4D 53 01
 * Applet  HelloApplet         AID F0 4A 43 56 4D 53 01 01
 *
 * SELECT: 9000.
 * CLA 0x80 (other CLA: 6E00).
 *  INS 10  case 2: answers "Hello, Java Card!" (17 ASCII bytes) with setOutgoingAndSend.
 *          P1 P2 are ignored.
 *  INS 20  case 4: echoes the command data (one setIncomingAndReceive: up to 128 bytes,
 *          sent back from the APDU buffer with setOutgoingAndSend(OFFSET_CDATA, n)).
 *  other INS: 6D00.
 */
package jcvm.samples.hello;

import javacard.framework.APDU;
import javacard.framework.Applet;
import javacard.framework.ISO7816;
import javacard.framework.ISOException;
import javacard.framework.Util;

public class HelloApplet extends Applet {

    private static final byte CLA_SAMPLES = (byte) 0x80;
    private static final byte INS_HELLO = (byte) 0x10;
    private static final byte INS_ECHO = (byte) 0x20;

    private static final byte[] HELLO = {
        'H', 'e', 'l', 'l', 'o', ',', ' ', 'J', 'a', 'v', 'a', ' ', 'C', 'a', 'r', 'd', '!'
    };

    private HelloApplet() {
        register();
    }

    public static void install(byte[] bArray, short bOffset, byte bLength) {
        new HelloApplet();
    }

    public void process(APDU apdu) {
        if (selectingApplet()) {
            return;
        }
        byte[] buf = apdu.getBuffer();
        if (buf[ISO7816.OFFSET_CLA] != CLA_SAMPLES) {
            ISOException.throwIt(ISO7816.SW_CLA_NOT_SUPPORTED);
        }
        switch (buf[ISO7816.OFFSET_INS]) {
            case INS_HELLO:
                Util.arrayCopyNonAtomic(HELLO, (short) 0, buf, (short) 0, (short) HELLO.length);
                apdu.setOutgoingAndSend((short) 0, (short) HELLO.length);
                return;
            case INS_ECHO: {
                short n = apdu.setIncomingAndReceive();
                apdu.setOutgoingAndSend(ISO7816.OFFSET_CDATA, n);
                return;
            }
            default:
                ISOException.throwIt(ISO7816.SW_INS_NOT_SUPPORTED);
        }
    }
}
