/**
 * The embedding store: catalog database + one HNSW index per modality. Import from here.
 *
 *   import { Store, objectInputFrom } from '../store/index.js';
 */
export { Store, REMEDIES } from './store.js';
export type { EmbeddingInput, SearchHit, SearchOptions, SearchResult, StoreHooks, StoreInfo, StoreOpenOptions } from './store.js';
export { MODALITIES, DEFAULT_K, MAX_K, resolveIndexParams, resolvePlannerParams } from './config.js';
export type { IndexParams, Modality, PlannerParams } from './config.js';
export { OBJECT_COLUMNS, objectInputFrom } from './columns.js';
export type { BoolColumn, ColumnName, ObjectInput, ObjectRow, RealColumn, TextColumn } from './columns.js';
export type { Range, SearchFilter } from './filter.js';
export type { Cone } from './sky.js';
export { angularSeparationDeg } from './sky.js';
export type { Plan, Strategy } from './planner.js';
export { CATALOG_SCHEMA_VERSION } from './catalog.js';
export { FILES, STORE_FORMAT, STORE_FORMAT_VERSION } from './manifest.js';
export type { Manifest } from './manifest.js';
