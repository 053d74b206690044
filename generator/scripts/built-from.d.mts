/** What changed in a package's sources since its dist/ was built; null when dist/ holds no record. */
export function changesSinceBuild(packageDir: string): string[] | null;
/** The changes as a short list: up to five, then how many more. */
export function listChanges(changed: readonly string[]): string;
