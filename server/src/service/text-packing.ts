// Closed files' texts, compressed: the language server keeps every workspace file's text (to tell a changed
// file from an unchanged one, to re-parse on a configuration change, to give a closed file its trees back
// for a fix), and on the 5,000-file benchmark workspace 18.5 MB of text is 4.9 MB deflated.
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { TextPacker } from '../advisor/parse/parse-file.js';

/**
 * Deflate, level 1: ~80 µs per 3.7 KB file, most of it zlib's set-up (higher levels save 10 % more for
 * 30 % more time).
 */
export const deflateText: TextPacker = {
  // A copy: zlib's result is a view of a 16 KB chunk, which would keep 16 KB per file.
  pack: (text) => new Uint8Array(deflateRawSync(text, { level: 1 })),
  unpack: (packed) => inflateRawSync(packed).toString('utf8'),
};
