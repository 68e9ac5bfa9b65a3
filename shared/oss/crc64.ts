/**
 * `x-oss-hash-crc64ecma` and the callback's `${crc64}`: an unsigned 64-bit value as decimal digits. Kept as text
 * (it does not fit a JS number exactly), and only when it has this shape (the records table checks the same).
 */
const CRC64_DECIMAL = /^\d{1,20}$/;

export const isCrc64 = (value: string): boolean => CRC64_DECIMAL.test(value);
