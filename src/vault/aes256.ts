// The AES256 vault cipher (Ansible's VaultAES256): PBKDF2-HMAC-SHA256, 10000 rounds,
// derives an AES-256 key, an HMAC-SHA256 key and a CTR counter block; the HMAC over the
// ciphertext is checked (in constant time) before anything is decrypted.
import { createDecipheriv, createHmac, pbkdf2Sync, timingSafeEqual } from 'node:crypto';
import { VaultFormatError, type VaultEnvelope } from './envelope.js';

const ROUNDS = 10_000;
const KEY_BYTES = 32;
const IV_BYTES = 16;

/** The plaintext, or null when this password does not open the envelope. */
export function decryptAes256(env: VaultEnvelope, password: Buffer): Buffer | null {
  const derived = pbkdf2Sync(password, env.salt, ROUNDS, 2 * KEY_BYTES + IV_BYTES, 'sha256');
  const aesKey = derived.subarray(0, KEY_BYTES);
  const hmacKey = derived.subarray(KEY_BYTES, 2 * KEY_BYTES);
  const iv = derived.subarray(2 * KEY_BYTES);
  const expected = createHmac('sha256', hmacKey).update(env.ciphertext).digest();
  if (env.hmac.length !== expected.length || !timingSafeEqual(env.hmac, expected)) return null;
  const decipher = createDecipheriv('aes-256-ctr', aesKey, iv);
  return unpadPkcs7(Buffer.concat([decipher.update(env.ciphertext), decipher.final()]));
}

/** PKCS#7 with 16-byte blocks; bad padding behind a good HMAC is a broken file. */
function unpadPkcs7(padded: Buffer): Buffer {
  const n = padded.length === 0 ? 0 : padded[padded.length - 1]!;
  const ok = n >= 1 && n <= 16 && n <= padded.length && padded.subarray(padded.length - n).every((b) => b === n);
  if (!ok) throw new VaultFormatError('malformed vault ciphertext: bad padding');
  return padded.subarray(0, padded.length - n);
}
