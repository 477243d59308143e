/**
 * Merging documented defaults with caller options. Keys the caller set to `undefined` do not
 * override a default (a plain spread would let `{ width: undefined }` erase it).
 */
export function withDefaults<D extends object, O extends object>(defaults: D, options: O): D & O {
  const given = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
  return { ...defaults, ...given } as D & O;
}
