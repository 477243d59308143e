/**
 * What the store's refusals tell the user to run. The ingest command owns these flags; keep
 * the two in step.
 */
export const REMEDIES = {
  reembed: (dir: string, modelId: string) => `run \`skyclip ingest --rebuild --store ${dir}\` to re-embed the catalog with model ${modelId}`,
  reindex: (dir: string) =>
    `run \`skyclip ingest --reindex --store ${dir}\` (or open the store with repair: true) to rebuild the indexes from the vectors in catalog.sqlite`,
} as const;
