/**
 * The generator version that golden cases render with. Every generated file names the generator's
 * version in its provenance line; the golden cases pass this fixed placeholder instead (the pipeline
 * takes the version as an option), so their expected files change with the output, not with a release.
 */
export const goldenVersion = '0.0.0-golden';
