/**
 * Every route of the API, in the order the OpenAPI document lists them.
 */
import type { AnyRoute } from '../route.js';
import { embed } from './embed.js';
import { cancelJob, getJob, getJobResult, listJobs, submitExport, submitIngest } from './jobs.js';
import { createObject, deleteObject, getCutout, getObject, getSpectrum } from './objects.js';
import { createHead, deleteHead, getHead, listHeads, predict } from './predict.js';
import { scs } from './scs.js';
import { outliers, rare, search } from './search.js';
import { health, models } from './system.js';

export const ROUTES: readonly AnyRoute[] = [
  health,
  models,
  embed,
  search,
  rare,
  outliers,
  predict,
  createHead,
  listHeads,
  getHead,
  deleteHead,
  getObject,
  getCutout,
  getSpectrum,
  createObject,
  deleteObject,
  submitExport,
  submitIngest,
  listJobs,
  getJob,
  getJobResult,
  cancelJob,
  scs,
];
