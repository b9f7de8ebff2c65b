/**
 * Names of BER-TLV data objects, per application family. The same tag means different things
 * in different places (82: EMV Application Interchange Profile, ISO FCP file descriptor), so
 * lookups take the selected application and the enclosing tag into account.
 *
 * Over 400 lines because it is a table: one line per tag, grouped by application, so a tag is
 * found and checked against its specification in one place. The lookup code is the last ~30 lines.
 */
import type { ApplicationKind } from './application-kind.js';

type TagTable = Readonly<Record<number, string>>;

interface TagDictionary {
  tags: TagTable;
  /** Names that only hold inside a given parent template. */
  nested?: Readonly<Record<number, TagTable>>;
}

/** ISO 7816-4 file control parameters (inside 62, and 6F outside EMV/GlobalPlatform). */
export const FCP_TAGS: TagTable = {
  0x80: 'Number of data bytes in the file (excluding structural information)',
  0x81: 'Number of data bytes in the file (including structural information)',
  0x82: 'File descriptor',
  0x83: 'File identifier',
  0x84: 'DF name',
  0x85: 'Proprietary information (primitive)',
  0x86: 'Security attribute in proprietary format',
  0x87: 'Identifier of an EF containing an FCI extension',
  0x88: 'Short EF identifier',
  0x8a: 'Life cycle status',
  0x8b: 'Security attribute referencing the expanded format',
  0x8c: 'Security attribute in compact format',
  0x8d: 'Identifier of an EF containing security environment templates',
  0x8e: 'Channel security attribute',
  0xa0: 'Security attribute template for data objects',
  0xa1: 'Security attribute template in proprietary format',
  0xa2: 'Template of pairs (short EF identifier, file reference)',
  0xa5: 'Proprietary information (constructed)',
  0xab: 'Security attribute template in expanded format',
  0xac: 'Cryptographic mechanism identifier template',
};

/** ISO 7816-4/-6/-8 interindustry data objects, valid whatever the application. */
export const ISO_TAGS: TagTable = {
  0x06: 'Object identifier',
  0x41: 'Country code and national data',
  0x42: 'Issuer identification number',
  0x43: 'Card service data',
  0x44: 'Initial access data',
  0x45: "Card issuer's data",
  0x46: 'Pre-issuing data',
  0x47: 'Card capabilities',
  0x48: 'Status information',
  0x4d: 'Extended header list',
  0x4f: 'Application identifier (AID)',
  0x50: 'Application label',
  0x51: 'Path',
  0x52: 'Command to perform',
  0x53: 'Discretionary data',
  0x5c: 'Tag list',
  0x5d: 'Header list',
  0x5f50: 'Uniform resource locator',
  0x61: 'Application template',
  0x62: 'File control parameters (FCP) template',
  0x63: 'Wrapper',
  0x64: 'File management data (FMD) template',
  0x65: 'Cardholder related data',
  0x66: 'Card data',
  0x67: 'Authentication data',
  0x68: 'Special user requirements',
  0x6a: 'Login template',
  0x6e: 'Application related data',
  0x6f: 'File control information (FCI) template',
  0x73: 'Discretionary data objects',
  0x7c: 'Dynamic authentication template',
  0x7d: 'Secure messaging template',
  0x7e: 'Interindustry template for nesting',
  0x7f21: 'Cardholder certificate',
  0x7f49: 'Public key template',
  0x7f60: 'Biometric information template',
  0x7f61: 'Biometric information templates group template',
  0xa4: 'Control reference template for authentication (AT)',
  0xb6: 'Control reference template for digital signature (DST)',
  0xb8: 'Control reference template for confidentiality (CT)',
};

const ISO_NESTED: Readonly<Record<number, TagTable>> = {
  0x62: FCP_TAGS,
  0x7f49: { 0x81: 'Modulus', 0x82: 'Public exponent', 0x86: 'Elliptic curve public point' },
  0x7c: { 0x80: 'Witness', 0x81: 'Challenge', 0x82: 'Response', 0x85: 'Exponentiation' },
};

/** EMV Book 3 annex A (plus the common contactless kernel tags). */
export const EMV_TAGS: TagTable = {
  0x42: 'Issuer Identification Number (IIN)',
  0x4f: 'Application Identifier (ADF Name)',
  0x50: 'Application Label',
  0x56: 'Track 1 Data',
  0x57: 'Track 2 Equivalent Data',
  0x5a: 'Application Primary Account Number (PAN)',
  0x5f20: 'Cardholder Name',
  0x5f24: 'Application Expiration Date',
  0x5f25: 'Application Effective Date',
  0x5f28: 'Issuer Country Code',
  0x5f2a: 'Transaction Currency Code',
  0x5f2d: 'Language Preference',
  0x5f30: 'Service Code',
  0x5f34: 'Application PAN Sequence Number',
  0x5f36: 'Transaction Currency Exponent',
  0x5f50: 'Issuer URL',
  0x5f53: 'International Bank Account Number (IBAN)',
  0x5f54: 'Bank Identifier Code (BIC)',
  0x5f55: 'Issuer Country Code (alpha2)',
  0x5f56: 'Issuer Country Code (alpha3)',
  0x61: 'Application Template',
  0x6f: 'File Control Information (FCI) Template',
  0x70: 'READ RECORD Response Message Template',
  0x71: 'Issuer Script Template 1',
  0x72: 'Issuer Script Template 2',
  0x73: 'Directory Discretionary Template',
  0x77: 'Response Message Template Format 2',
  0x80: 'Response Message Template Format 1',
  0x81: 'Amount, Authorised (Binary)',
  0x82: 'Application Interchange Profile (AIP)',
  0x83: 'Command Template',
  0x84: 'Dedicated File (DF) Name',
  0x86: 'Issuer Script Command',
  0x87: 'Application Priority Indicator',
  0x88: 'Short File Identifier (SFI)',
  0x89: 'Authorisation Code',
  0x8a: 'Authorisation Response Code',
  0x8c: 'Card Risk Management Data Object List 1 (CDOL1)',
  0x8d: 'Card Risk Management Data Object List 2 (CDOL2)',
  0x8e: 'Cardholder Verification Method (CVM) List',
  0x8f: 'Certification Authority Public Key Index',
  0x90: 'Issuer Public Key Certificate',
  0x91: 'Issuer Authentication Data',
  0x92: 'Issuer Public Key Remainder',
  0x93: 'Signed Static Application Data',
  0x94: 'Application File Locator (AFL)',
  0x95: 'Terminal Verification Results (TVR)',
  0x97: 'Transaction Certificate Data Object List (TDOL)',
  0x98: 'Transaction Certificate (TC) Hash Value',
  0x99: 'Transaction PIN Data',
  0x9a: 'Transaction Date',
  0x9b: 'Transaction Status Information',
  0x9c: 'Transaction Type',
  0x9d: 'Directory Definition File (DDF) Name',
  0x9f01: 'Acquirer Identifier',
  0x9f02: 'Amount, Authorised (Numeric)',
  0x9f03: 'Amount, Other (Numeric)',
  0x9f04: 'Amount, Other (Binary)',
  0x9f05: 'Application Discretionary Data',
  0x9f06: 'Application Identifier (AID) - terminal',
  0x9f07: 'Application Usage Control',
  0x9f08: 'Application Version Number (card)',
  0x9f09: 'Application Version Number (terminal)',
  0x9f0a: 'Application Selection Registered Proprietary Data',
  0x9f0b: 'Cardholder Name Extended',
  0x9f0d: 'Issuer Action Code - Default',
  0x9f0e: 'Issuer Action Code - Denial',
  0x9f0f: 'Issuer Action Code - Online',
  0x9f10: 'Issuer Application Data (IAD)',
  0x9f11: 'Issuer Code Table Index',
  0x9f12: 'Application Preferred Name',
  0x9f13: 'Last Online Application Transaction Counter (ATC) Register',
  0x9f14: 'Lower Consecutive Offline Limit',
  0x9f15: 'Merchant Category Code',
  0x9f16: 'Merchant Identifier',
  0x9f17: 'PIN Try Counter',
  0x9f18: 'Issuer Script Identifier',
  0x9f1a: 'Terminal Country Code',
  0x9f1b: 'Terminal Floor Limit',
  0x9f1c: 'Terminal Identification',
  0x9f1d: 'Terminal Risk Management Data',
  0x9f1e: 'Interface Device (IFD) Serial Number',
  0x9f1f: 'Track 1 Discretionary Data',
  0x9f20: 'Track 2 Discretionary Data',
  0x9f21: 'Transaction Time',
  0x9f22: 'Certification Authority Public Key Index (terminal)',
  0x9f23: 'Upper Consecutive Offline Limit',
  0x9f26: 'Application Cryptogram (AC)',
  0x9f27: 'Cryptogram Information Data (CID)',
  0x9f2d: 'ICC PIN Encipherment Public Key Certificate',
  0x9f2e: 'ICC PIN Encipherment Public Key Exponent',
  0x9f2f: 'ICC PIN Encipherment Public Key Remainder',
  0x9f32: 'Issuer Public Key Exponent',
  0x9f33: 'Terminal Capabilities',
  0x9f34: 'Cardholder Verification Method (CVM) Results',
  0x9f35: 'Terminal Type',
  0x9f36: 'Application Transaction Counter (ATC)',
  0x9f37: 'Unpredictable Number',
  0x9f38: 'Processing Options Data Object List (PDOL)',
  0x9f39: 'Point-of-Service (POS) Entry Mode',
  0x9f3a: 'Amount, Reference Currency',
  0x9f3b: 'Application Reference Currency',
  0x9f3c: 'Transaction Reference Currency Code',
  0x9f3d: 'Transaction Reference Currency Exponent',
  0x9f40: 'Additional Terminal Capabilities',
  0x9f41: 'Transaction Sequence Counter',
  0x9f42: 'Application Currency Code',
  0x9f43: 'Application Reference Currency Exponent',
  0x9f44: 'Application Currency Exponent',
  0x9f45: 'Data Authentication Code',
  0x9f46: 'ICC Public Key Certificate',
  0x9f47: 'ICC Public Key Exponent',
  0x9f48: 'ICC Public Key Remainder',
  0x9f49: 'Dynamic Data Authentication Data Object List (DDOL)',
  0x9f4a: 'Static Data Authentication Tag List',
  0x9f4b: 'Signed Dynamic Application Data',
  0x9f4c: 'ICC Dynamic Number',
  0x9f4d: 'Log Entry',
  0x9f4e: 'Merchant Name and Location',
  0x9f4f: 'Log Format',
  0x9f5d: 'Available Offline Spending Amount',
  0x9f66: 'Terminal Transaction Qualifiers (TTQ)',
  0x9f69: 'Card Authentication Related Data',
  0x9f6c: 'Card Transaction Qualifiers (CTQ)',
  0x9f6e: 'Form Factor Indicator / Third Party Data',
  0x9f7c: 'Customer Exclusive Data',
  0xa5: 'File Control Information (FCI) Proprietary Template',
  0xbf0c: 'File Control Information (FCI) Issuer Discretionary Data',
};

/** OpenPGP card specification 3.4, section 4.4 (data objects). */
export const OPENPGP_TAGS: TagTable = {
  0x0101: 'Private use DO 1',
  0x0102: 'Private use DO 2',
  0x0103: 'Private use DO 3',
  0x0104: 'Private use DO 4',
  0x4d: 'Extended header list',
  0x4f: 'Application identifier (AID)',
  0x5b: 'Name',
  0x5e: 'Login data',
  0x5f2d: 'Language preference',
  0x5f35: 'Salutation (sex)',
  0x5f48: 'Cardholder private key',
  0x5f50: 'URL of public key',
  0x5f52: 'Historical bytes',
  0x65: 'Cardholder related data',
  0x6e: 'Application related data',
  0x73: 'Discretionary data objects',
  0x7a: 'Security support template',
  0x93: 'Digital signature counter',
  0x7f21: 'Cardholder certificate',
  0x7f48: 'Cardholder private key template',
  0x7f49: 'Public key template',
  0x7f66: 'Extended length information',
  0x7f74: 'General feature management',
  0xa4: 'Control reference template: authentication key',
  0xb6: 'Control reference template: signature key',
  0xb8: 'Control reference template: decryption key',
  0xc0: 'Extended capabilities',
  0xc1: 'Algorithm attributes: signature',
  0xc2: 'Algorithm attributes: decryption',
  0xc3: 'Algorithm attributes: authentication',
  0xc4: 'PW status bytes',
  0xc5: 'Fingerprints',
  0xc6: 'CA fingerprints',
  0xc7: 'Fingerprint: signature key',
  0xc8: 'Fingerprint: decryption key',
  0xc9: 'Fingerprint: authentication key',
  0xca: 'CA fingerprint 1',
  0xcb: 'CA fingerprint 2',
  0xcc: 'CA fingerprint 3',
  0xcd: 'Key generation dates',
  0xce: 'Generation date: signature key',
  0xcf: 'Generation date: decryption key',
  0xd0: 'Generation date: authentication key',
  0xd1: 'Secure messaging key ENC',
  0xd2: 'Secure messaging key MAC',
  0xd3: 'Resetting code',
  0xd5: 'AES key for PSO:ENC/DEC',
  0xd6: 'User interaction flag: signature',
  0xd7: 'User interaction flag: decryption',
  0xd8: 'User interaction flag: authentication',
  0xde: 'Key information',
  0xf9: 'KDF data object',
  0xfa: 'Algorithm information',
};

const OPENPGP_NESTED: Readonly<Record<number, TagTable>> = {
  0x7f49: { 0x81: 'Modulus', 0x82: 'Public exponent', 0x86: 'Elliptic curve public key' },
};

/** NIST SP 800-73-4 (PIV) data objects and containers. */
export const PIV_TAGS: TagTable = {
  0x4f: 'Application identifier (AID)',
  0x50: 'Application label',
  0x53: 'PIV data object',
  0x5c: 'Tag list (data object identifier)',
  0x5f50: 'Uniform resource locator',
  0x5f2f: 'PIN usage policy',
  0x61: 'Application property template',
  0x79: 'Coexistent tag allocation authority template',
  0x7c: 'Dynamic authentication template',
  0x7e: 'Discovery object',
  0x7f49: 'Public key template',
  0x7f60: 'Biometric information template',
  0x7f61: 'Biometric information templates group template',
  0xac: 'Cryptographic algorithms supported',
  0x5fc101: 'X.509 certificate for card authentication',
  0x5fc102: 'Card holder unique identifier (CHUID)',
  0x5fc103: 'Cardholder fingerprints',
  0x5fc105: 'X.509 certificate for PIV authentication',
  0x5fc106: 'Security object',
  0x5fc107: 'Card capability container',
  0x5fc108: 'Cardholder facial image',
  0x5fc109: 'Printed information',
  0x5fc10a: 'X.509 certificate for digital signature',
  0x5fc10b: 'X.509 certificate for key management',
  0x5fc10c: 'Key history object',
  0x5fc121: 'Cardholder iris images',
  0x5fc122: 'Biometric information templates group template',
  0x5fc123: 'Secure messaging certificate signer',
  0x5fc124: 'Pairing code reference data container',
};

const PIV_NESTED: Readonly<Record<number, TagTable>> = {
  0x53: {
    0x30: 'FASC-N',
    0x32: 'Organizational identifier',
    0x33: 'DUNS',
    0x34: 'GUID',
    0x35: 'Expiration date',
    0x36: 'Cardholder UUID',
    0x3e: 'Issuer asymmetric signature',
    0x70: 'Certificate',
    0x71: 'CertInfo',
    0x72: 'MSCUID',
    0xfe: 'Error detection code',
  },
  0x7c: { 0x80: 'Witness', 0x81: 'Challenge', 0x82: 'Response', 0x85: 'Exponentiation' },
  0x7f49: { 0x81: 'Modulus', 0x82: 'Public exponent', 0x86: 'Elliptic curve point' },
  0xac: { 0x80: 'Cryptographic algorithm identifier', 0x06: 'Object identifier' },
};

/** GlobalPlatform Card Specification 2.3 data objects (SELECT, GET DATA, GET STATUS). */
export const GP_TAGS: TagTable = {
  0x42: 'Issuer identification number (IIN)',
  0x45: 'Card image number (CIN)',
  0x4f: 'Application identifier (AID)',
  0x66: 'Card data',
  0x73: 'Card recognition data / security domain management data',
  0x6f: 'File control information (FCI) template',
  0x84: 'Application / file AID',
  0xa5: 'Proprietary data',
  0x9f6e: 'Application production life cycle data',
  0x9f65: 'Maximum length of data field in command message',
  0x9f70: 'Life cycle state',
  0x9f7f: 'Card production life cycle data (CPLC)',
  0xc1: 'Sequence counter of the default key version number',
  0xc4: 'Executable load file AID',
  0xc5: 'Privileges',
  0xc6: 'Executable load file version number',
  0xcc: 'Associated security domain AID',
  0xce: 'Executable load file version number',
  0xcf: 'Key diversification data',
  0xe0: 'Key information template',
  0xe3: 'GlobalPlatform registry entry',
};

const GP_NESTED: Readonly<Record<number, TagTable>> = {
  0xe0: { 0xc0: 'Key information data' },
  0x73: {
    0x06: 'Object identifier',
    0x60: 'Card management type and version',
    0x63: 'Card identification scheme',
    0x64: 'Secure channel protocol',
    0x65: 'Card configuration details',
    0x66: 'Card / chip details',
    0x67: 'Issuer security domain trust point certificate information',
    0x68: 'Issuer security domain certificate information',
  },
};

const DICTIONARIES: Readonly<Record<ApplicationKind, TagDictionary>> = {
  emv: { tags: EMV_TAGS },
  gp: { tags: GP_TAGS, nested: GP_NESTED },
  piv: { tags: PIV_TAGS, nested: PIV_NESTED },
  openpgp: { tags: OPENPGP_TAGS, nested: OPENPGP_NESTED },
};

/** Without a known application, EMV first (most captured traffic is payment), then the others. */
const FALLBACK_ORDER: readonly ApplicationKind[] = ['emv', 'gp', 'openpgp', 'piv'];

/**
 * Name of a data object. `context` is the selected application when known, `parent` the tag
 * of the enclosing template (so 82 inside 62 is a file descriptor, not an EMV AIP).
 */
export function tagName(tag: number, context?: ApplicationKind, parent?: number): string | undefined {
  if (parent !== undefined) {
    const nested = (context && DICTIONARIES[context].nested?.[parent]) ?? undefined;
    const nestedName = nested?.[tag];
    if (nestedName) return nestedName;
    const isoNested = ISO_NESTED[parent]?.[tag];
    if (isoNested) return isoNested;
    // An FCI outside EMV/GlobalPlatform carries ISO file control parameters.
    if (parent === 0x6f && context !== 'emv' && context !== 'gp') {
      const fcp = FCP_TAGS[tag];
      if (fcp) return fcp;
    }
  }
  if (context) {
    const own = DICTIONARIES[context].tags[tag];
    if (own) return own;
  }
  const iso = ISO_TAGS[tag];
  if (iso) return iso;
  if (!context) {
    for (const kind of FALLBACK_ORDER) {
      const name = DICTIONARIES[kind].tags[tag];
      if (name) return name;
    }
  }
  return undefined;
}
