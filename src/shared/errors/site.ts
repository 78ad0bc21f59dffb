/** Why a packaged site (src/shared/site/archive.ts) was refused or could not be read. */
import { BaseError } from './base.ts'

/**
 * A file tree cannot be packed as a site, or an archive's index is malformed: too many files,
 * a path with `..`, an absolute or duplicate path, a missing entry. The message names the path.
 */
export class SiteArchiveError extends BaseError {
  override name = 'SiteArchiveError' as const
}
