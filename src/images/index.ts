// The image adapter: the domain's ImageResizer port on sharp (libvips), for previews. Imports only the domain.
export { SharpResizer } from './sharp-resizer.js';
