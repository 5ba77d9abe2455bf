// ISO 4217 codes and their minor units. Amounts on the wire are integers in those minor units. Which codes exist
// comes from the runtime's ICU data (workerd ships full ICU), but the exponent comes from ISO 4217 itself: ICU's
// locale data formats some currencies with fewer digits than ISO defines (IQD, LAK, MGA with 0), and reading
// amounts with those digits would shift them by a factor of 100 or 1000.

const supported: ReadonlySet<string> = new Set(Intl.supportedValuesOf("currency"));

/** ISO 4217 minor-unit exponents that are not 2 (the list ISO publishes; every other code has 2). */
const ISO_EXPONENTS: Readonly<Record<string, number>> = {
  BHD: 3,
  BIF: 0,
  CLF: 4,
  CLP: 0,
  DJF: 0,
  GNF: 0,
  IQD: 3,
  ISK: 0,
  JOD: 3,
  JPY: 0,
  KMF: 0,
  KRW: 0,
  KWD: 3,
  LYD: 3,
  OMR: 3,
  PYG: 0,
  RWF: 0,
  TND: 3,
  UGX: 0,
  UYI: 0,
  UYW: 4,
  VND: 0,
  VUV: 0,
  XAF: 0,
  XOF: 0,
  XPF: 0,
};

/** Whether `code` is an ISO 4217 currency the runtime knows (upper case, three letters). */
export const isCurrency = (code: string): boolean => /^[A-Z]{3}$/.test(code) && supported.has(code);

/** Digits after the decimal point of the currency's minor unit per ISO 4217 (JPY 0, EUR 2, KWD 3, CLF 4). */
export const minorUnitDigits = (code: string): number => ISO_EXPONENTS[code] ?? 2;
