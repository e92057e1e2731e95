// What the bytes are: the media types assetd accepts (and their aliases and extensions), sniffing a type from the
// first bytes, and reading picture size and length while bytes stream past (PNG, JPEG, WAV, MP4, WebM, MP3).
// Pure knowledge of file formats: it imports nothing else of ours, so the domain and the client both use it.
export * from './types.js';
export { factsProbe, type FactsProbe } from './facts-probe.js';
export { mediaFacts, plausibleFacts, NO_FACTS, type MediaFacts } from './media-facts.js';
