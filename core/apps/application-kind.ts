/**
 * The application families whose proprietary commands and data objects Cardbench knows. The
 * selected application decides how an INS byte or a tag is named (80 CA is EMV GET DATA, tag 82
 * is the AIP in EMV but the file descriptor in an FCP), so decoders pass this around as context.
 */
export type ApplicationKind = 'emv' | 'gp' | 'piv' | 'openpgp';

/** What an AID lookup can answer: a known family or some other application. */
export type AidKind = ApplicationKind | 'other';

export const APPLICATION_KIND_NAMES: Readonly<Record<ApplicationKind, string>> = {
  emv: 'EMV payment',
  gp: 'GlobalPlatform',
  piv: 'PIV',
  openpgp: 'OpenPGP card',
};
