/*
 * jcvm sample applet "counter": a persistent short counter.
 *
 * This file documents counter.jca, which was written by hand in the converter's JCA form; it
 * is the Java source that counter.jca is equivalent to.  It is not compiled by the build.
 *
 * Package jcvm.samples.counter  AID F0 4A 43 56 4D 53 02
 * Applet  CounterApplet         AID F0 4A 43 56 4D 53 02 01
 *
 * The counter is a persistent short field, 0 after installation, always in 0..32767.
 * The amount of INS 10 / 12 is P1P2 taken as an unsigned number (0..65535); Util.getShort
 * reads it as a signed short, so a negative short stands for an amount above 32767, which
 * can never be applied.
 *
 * SELECT: 9000.
 * CLA 0x80 (other CLA: 6E00).  Every command answers the counter's value after the command
 * (2 bytes, big-endian), or only a status word when it is refused (counter unchanged).
 *  INS 10  counter += P1P2.  A result above 32767 (Short.MAX_VALUE) -> 6A84.
 *  INS 12  counter -= P1P2.  A result below 0 -> 6A84.
 *  INS 14  read the counter.
 *  INS 16  counter = 0.
 *  other INS: 6D00.
 *
 * 6A84 (ISO7816.SW_FILE_FULL, "not enough memory space") is used for both directions:
 * the value would leave the counter's range 0..32767.
 */
package jcvm.samples.counter;

import javacard.framework.APDU;
import javacard.framework.Applet;
import javacard.framework.ISO7816;
import javacard.framework.ISOException;
import javacard.framework.Util;

public class CounterApplet extends Applet {

    private static final byte CLA_SAMPLES = (byte) 0x80;
    private static final byte INS_INCREMENT = (byte) 0x10;
    private static final byte INS_DECREMENT = (byte) 0x12;
    private static final byte INS_READ = (byte) 0x14;
    private static final byte INS_RESET = (byte) 0x16;

    private static final short MAX_VALUE = 32767;
    private static final short SW_OUT_OF_RANGE = ISO7816.SW_FILE_FULL; // 6A84

    private short counter;

    private CounterApplet() {
        register();
    }

    public static void install(byte[] bArray, short bOffset, byte bLength) {
        new CounterApplet();
    }

    public void process(APDU apdu) {
        if (selectingApplet()) {
            return;
        }
        byte[] buf = apdu.getBuffer();
        if (buf[ISO7816.OFFSET_CLA] != CLA_SAMPLES) {
            ISOException.throwIt(ISO7816.SW_CLA_NOT_SUPPORTED);
        }
        short amount = Util.getShort(buf, ISO7816.OFFSET_P1);
        switch (buf[ISO7816.OFFSET_INS]) {
            case INS_INCREMENT:
                if (amount < 0 || amount > (short) (MAX_VALUE - counter)) {
                    ISOException.throwIt(SW_OUT_OF_RANGE);
                }
                counter = (short) (counter + amount);
                break;
            case INS_DECREMENT:
                if (amount < 0 || amount > counter) {
                    ISOException.throwIt(SW_OUT_OF_RANGE);
                }
                counter = (short) (counter - amount);
                break;
            case INS_READ:
                break;
            case INS_RESET:
                counter = 0;
                break;
            default:
                ISOException.throwIt(ISO7816.SW_INS_NOT_SUPPORTED);
        }
        Util.setShort(buf, (short) 0, counter);
        apdu.setOutgoingAndSend((short) 0, (short) 2);
    }
}
