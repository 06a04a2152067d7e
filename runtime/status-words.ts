// What a status word means: ISO/IEC 7816-4:2013 section 5.6 (tables 5 and 6), with the names
// javacard.framework.ISO7816 gives them (SW_*).
// For the shell and `serve`, which show a developer what the card answered.

/** Exact status words; the ISO7816 constant name where there is one. */
const EXACT: ReadonlyMap<number, string> = new Map([
  [0x9000, 'success (SW_NO_ERROR)'],
  [0x6200, 'warning: state of non-volatile memory unchanged'],
  [0x6281, 'warning: part of returned data may be corrupted'],
  [0x6282, 'warning: end of file or record reached before reading Ne bytes'],
  [0x6283, 'warning: selected file deactivated'],
  [0x6284, 'warning: file control information not formatted'],
  [0x6300, 'warning: state of non-volatile memory changed; authentication failed'],
  [0x6381, 'warning: file filled up by the last write'],
  [0x6400, 'execution error: state of non-volatile memory unchanged'],
  [0x6581, 'execution error: memory failure'],
  [0x6700, 'wrong length (SW_WRONG_LENGTH)'],
  [0x6800, 'functions in CLA not supported'],
  [0x6881, 'logical channel not supported (SW_LOGICAL_CHANNEL_NOT_SUPPORTED)'],
  [0x6882, 'secure messaging not supported (SW_SECURE_MESSAGING_NOT_SUPPORTED)'],
  [0x6883, 'last command of the chain expected (SW_LAST_COMMAND_EXPECTED)'],
  [0x6884, 'command chaining not supported (SW_COMMAND_CHAINING_NOT_SUPPORTED)'],
  [0x6900, 'command not allowed'],
  [0x6981, 'command incompatible with file structure'],
  [0x6982, 'security status not satisfied (SW_SECURITY_STATUS_NOT_SATISFIED)'],
  [0x6983, 'authentication method blocked (SW_FILE_INVALID)'],
  [0x6984, 'reference data not usable (SW_DATA_INVALID)'],
  [0x6985, 'conditions of use not satisfied (SW_CONDITIONS_NOT_SATISFIED)'],
  [0x6986, 'command not allowed, no current EF (SW_COMMAND_NOT_ALLOWED)'],
  [0x6987, 'expected secure messaging data objects missing'],
  [0x6988, 'incorrect secure messaging data objects'],
  [0x6999, 'applet selection failed (SW_APPLET_SELECT_FAILED)'],
  [0x6a80, 'incorrect parameters in the command data field (SW_WRONG_DATA)'],
  [0x6a81, 'function not supported (SW_FUNC_NOT_SUPPORTED)'],
  [0x6a82, 'file or application not found (SW_FILE_NOT_FOUND)'],
  [0x6a83, 'record not found (SW_RECORD_NOT_FOUND)'],
  [0x6a84, 'not enough memory space in the file (SW_FILE_FULL)'],
  [0x6a85, 'Nc inconsistent with TLV structure'],
  [0x6a86, 'incorrect parameters P1-P2 (SW_INCORRECT_P1P2)'],
  [0x6a87, 'Nc inconsistent with parameters P1-P2'],
  [0x6a88, 'referenced data or reference data not found'],
  [0x6a89, 'file already exists'],
  [0x6a8a, 'DF name already exists'],
  [0x6b00, 'wrong parameters P1-P2 (SW_WRONG_P1P2)'],
  [0x6d00, 'instruction code not supported or invalid (SW_INS_NOT_SUPPORTED)'],
  [0x6e00, 'class not supported (SW_CLA_NOT_SUPPORTED)'],
  [0x6f00, 'no precise diagnosis (SW_UNKNOWN): an uncaught exception, or the card stopped the applet'],
]);

/** The meaning of a status word (SW1 SW2 as one number), as one short phrase. */
export function statusMeaning(sw: number): string {
  const exact = EXACT.get(sw);
  if (exact) return exact;
  const sw1 = sw >> 8, sw2 = sw & 0xff;
  switch (sw1) {
    case 0x61: return `success, ${sw2 || 256} more byte(s) available: GET RESPONSE (SW_BYTES_REMAINING_00)`;
    case 0x62: return 'warning: state of non-volatile memory unchanged';
    case 0x63: return (sw2 & 0xf0) === 0xc0 ? `warning: counter ${sw2 & 0x0f} (tries left)` : 'warning: state of non-volatile memory changed';
    case 0x64: return 'execution error: state of non-volatile memory unchanged';
    case 0x65: return 'execution error: state of non-volatile memory changed';
    case 0x66: return 'security-related issue';
    case 0x67: return 'wrong length';
    case 0x68: return 'functions in CLA not supported';
    case 0x69: return 'command not allowed';
    case 0x6a: return 'wrong parameters P1-P2';
    case 0x6c: return `wrong Le: exactly ${sw2 || 256} byte(s) available (SW_CORRECT_LENGTH_00)`;
    case 0x90: return 'success';
    case 0x91: return 'success (secure messaging / application specific)';
    default:
      return sw1 >= 0x62 && sw1 <= 0x6f ? 'error (ISO 7816-4 class ' + sw1.toString(16).toUpperCase() + ')' : 'not an ISO 7816-4 status word (application specific)';
  }
}

/** The status word of a response APDU (its last two bytes) with its meaning: "9000 success (SW_NO_ERROR)". */
export function describeStatus(response: Uint8Array): string {
  if (response.length < 2) return '(no status word)';
  const sw = (response[response.length - 2]! << 8) | response[response.length - 1]!;
  return `${sw.toString(16).toUpperCase().padStart(4, '0')} ${statusMeaning(sw)}`;
}
