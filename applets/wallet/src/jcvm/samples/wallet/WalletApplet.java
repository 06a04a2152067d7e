/*
 * jcvm sample applet "wallet": a balance protected by an OwnerPIN.
 *
 * This file documents wallet.jca, which was written by hand in the converter's JCA form; it
 * is the Java source that wallet.jca is equivalent to.  It is not compiled by the build.
 *
 * Package jcvm.samples.wallet  AID F0 4A 43 56 4D 53 03
 * Applet  WalletApplet         AID F0 4A 43 56 4D 53 03 01
 *
 * Installation: the install data is the Java Card 3 / GlobalPlatform layout
 *   [Li][instance AID][Lc][control info][La][params]
 * and params is the PIN (4 to 8 bytes, e.g. the ASCII digits "314159"); any other length
 * makes install() throw ISOException 6A80, so no instance is created.  (The PIN bytes are not
 * checked to be digits.)  The PIN is an OwnerPIN with try limit 3 and maximum size 8.
 * The applet registers with register(), i.e. instance AID = applet class AID.
 *
 * The balance is a persistent short, 0 after installation, always in 0..10000; credit and
 * debit update it inside JCSystem.beginTransaction / commitTransaction.
 * deselect() calls pin.reset(): reselecting the applet (or a card reset, since the
 * validated flag is transient) requires a new VERIFY.
 *
 * SELECT: 9000.
 * CLA 0x80 (other CLA: 6E00).
 *  INS 20  VERIFY, data = PIN.  PIN blocked (no tries left) -> 6983; right PIN -> 9000 (tries
 *          back to 3); wrong PIN (or wrong length) -> 63Cx, x = tries remaining.
 *  INS 30  CREDIT, data = amount (2 bytes, big-endian).  Checks, in this order:
 *          PIN not validated -> 6982; Lc != 2 -> 6700; amount not in 1..10000 -> 6A80;
 *          balance + amount > 10000 -> 6A80.  Otherwise balance += amount; 9000, no data.
 *  INS 40  DEBIT, data = amount (2 bytes).  Same checks as CREDIT (6982, 6700, 6A80),
 *          then amount > balance -> 6985.  Otherwise balance -= amount; 9000, no data.
 *  INS 50  GET BALANCE (no PIN needed): the balance, 2 bytes big-endian.
 *  other INS: 6D00.
 */
package jcvm.samples.wallet;

import javacard.framework.APDU;
import javacard.framework.Applet;
import javacard.framework.ISO7816;
import javacard.framework.ISOException;
import javacard.framework.JCSystem;
import javacard.framework.OwnerPIN;
import javacard.framework.Util;

public class WalletApplet extends Applet {

    private static final byte CLA_SAMPLES = (byte) 0x80;
    private static final byte INS_VERIFY = (byte) 0x20;
    private static final byte INS_CREDIT = (byte) 0x30;
    private static final byte INS_DEBIT = (byte) 0x40;
    private static final byte INS_GET_BALANCE = (byte) 0x50;

    private static final byte PIN_TRY_LIMIT = 3;
    private static final byte PIN_MIN_SIZE = 4;
    private static final byte PIN_MAX_SIZE = 8;
    private static final short MAX_BALANCE = 10000;

    private final OwnerPIN pin;
    private short balance;

    private WalletApplet(byte[] bArray, short bOffset, byte bLength) {
        pin = new OwnerPIN(PIN_TRY_LIMIT, PIN_MAX_SIZE);
        short p = bOffset;
        p += (short) (bArray[p] + 1); // skip [Li][instance AID]
        p += (short) (bArray[p] + 1); // skip [Lc][control info]
        byte la = bArray[p];          // [La][params]: the PIN
        if (la < PIN_MIN_SIZE || la > PIN_MAX_SIZE) {
            ISOException.throwIt(ISO7816.SW_WRONG_DATA);
        }
        pin.update(bArray, (short) (p + 1), la);
        register();
    }

    public static void install(byte[] bArray, short bOffset, byte bLength) {
        new WalletApplet(bArray, bOffset, bLength);
    }

    public void deselect() {
        pin.reset();
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
            case INS_VERIFY:
                verify(apdu, buf);
                return;
            case INS_CREDIT:
                credit(apdu, buf);
                return;
            case INS_DEBIT:
                debit(apdu, buf);
                return;
            case INS_GET_BALANCE:
                Util.setShort(buf, (short) 0, balance);
                apdu.setOutgoingAndSend((short) 0, (short) 2);
                return;
            default:
                ISOException.throwIt(ISO7816.SW_INS_NOT_SUPPORTED);
        }
    }

    private void verify(APDU apdu, byte[] buf) {
        short n = apdu.setIncomingAndReceive();
        if (pin.getTriesRemaining() == 0) {
            ISOException.throwIt(ISO7816.SW_FILE_INVALID); // 6983: PIN blocked
        }
        if (!pin.check(buf, ISO7816.OFFSET_CDATA, (byte) n)) {
            ISOException.throwIt((short) (0x63C0 | pin.getTriesRemaining()));
        }
    }

    /** Receives the 2-byte amount of CREDIT / DEBIT and checks the PIN, Lc and the range. */
    private short readAmount(APDU apdu, byte[] buf) {
        short n = apdu.setIncomingAndReceive();
        if (!pin.isValidated()) {
            ISOException.throwIt(ISO7816.SW_SECURITY_STATUS_NOT_SATISFIED);
        }
        if (n != 2) {
            ISOException.throwIt(ISO7816.SW_WRONG_LENGTH);
        }
        short amount = Util.getShort(buf, ISO7816.OFFSET_CDATA);
        if (amount <= 0 || amount > MAX_BALANCE) {
            ISOException.throwIt(ISO7816.SW_WRONG_DATA);
        }
        return amount;
    }

    private void credit(APDU apdu, byte[] buf) {
        short amount = readAmount(apdu, buf);
        if (amount > (short) (MAX_BALANCE - balance)) {
            ISOException.throwIt(ISO7816.SW_WRONG_DATA);
        }
        JCSystem.beginTransaction();
        balance = (short) (balance + amount);
        JCSystem.commitTransaction();
    }

    private void debit(APDU apdu, byte[] buf) {
        short amount = readAmount(apdu, buf);
        if (amount > balance) {
            ISOException.throwIt(ISO7816.SW_CONDITIONS_NOT_SATISFIED);
        }
        JCSystem.beginTransaction();
        balance = (short) (balance - amount);
        JCSystem.commitTransaction();
    }
}
