/**
 * What the store's refusals tell the user to run. The ingest command owns these flags; keep
 * the two in step.
 */
export const REMEDIES = {
  reembed: (dir: string, modelId: string) => `run \`skyclip ingest --rebuild --store ${dir} --model MODEL_DIR\` (MODEL_DIR: the directory of model ${modelId}) to re-embed the catalog with it`,
  reindex: (dir: string) =>
    `run \`skyclip ingest --reindex --store ${dir}\` (or open the store with repair: true) to rebuild the indexes from the vectors in catalog.sqlite`,
} as const;
