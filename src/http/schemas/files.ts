// The public file url: /files/<token>.<ext>.
import { Type } from 'typebox';

export const FileParams = Type.Object({ name: Type.String({ maxLength: 64 }) });
