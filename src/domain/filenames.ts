// Client-supplied file names are kept for display and Content-Disposition only, never used as a path or a type.

const MAX_LENGTH = 255;

/** The last path component, without control characters, at most 255 characters; null when nothing is left. */
export function cleanFilename(raw: string | undefined | null): string | null {
  if (!raw) return null;
  const last = raw.split(/[\\/]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex
  const cleaned = last.replace(/[\u0000-\u001f\u007f]/g, '').trim();
  if (cleaned === '' || cleaned === '.' || cleaned === '..') return null;
  return [...cleaned].slice(0, MAX_LENGTH).join('');
}
