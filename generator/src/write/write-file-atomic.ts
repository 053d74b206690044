/**
 * One file written atomically, for a page a command writes where the user says (the HTML timeline
 * of `simulate` and `explore`): the content goes to a temporary file beside the target, flushed,
 * then renamed over it, so the target is either the old file or the whole new one, never a
 * truncated page. A target that is a folder, a link or a special file, or whose folder does not
 * exist, is a WriteError (`cannot write PATH: reason`) before anything is written.
 */
import { dirname } from 'node:path';
import {
  failure,
  kindOf,
  linkReason,
  lstatOrNull,
  realFs,
  removeIfPresent,
  runToken,
  syncFolder,
  WriteError,
  writeNewFile,
  type WriterFs,
} from './write-fs.js';

export function writeFileAtomic(path: string, content: string, fs: WriterFs = realFs): void {
  const folder = dirname(path);
  const folderStat = lstatOrNull(folder, fs);
  if (folderStat === null)
    throw new WriteError(
      path,
      // The path before the reason names the folder; its last name alone would not say which one.
      'its folder does not exist (ENOENT); nothing was changed.',
      'ENOENT',
    );
  const target = lstatOrNull(path, fs);
  if (target !== null) {
    if (target.isSymbolicLink()) throw new WriteError(path, linkReason, 'ELOOP');
    if (target.isDirectory()) throw new WriteError(path, 'it is a folder; nothing was changed.', 'EISDIR');
    if (!target.isFile())
      throw new WriteError(
        path,
        `it is not a regular file (${kindOf(target)}); nothing was changed. Remove it.`,
        'EINVAL',
      );
  }
  const temp = `${path}.ddikit-${runToken()}.tmp`;
  try {
    writeNewFile(temp, Buffer.from(content, 'utf8'), fs);
    fs.renameSync(temp, path);
  } catch (error) {
    removeIfPresent(temp, fs);
    throw failure(path, error);
  }
  syncFolder(folder, fs);
}
