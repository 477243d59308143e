/**
 * IVOA Simple Cone Search 1.03 over the catalog: GET /v1/scs?RA=&DEC=&SR= answers a VOTable
 * whose id, ra and dec FIELDs carry the SCS UCDs (meta.id;meta.main, pos.eq.ra;meta.main,
 * pos.eq.dec;meta.main), so TOPCAT and Aladin load it as a cone-search service. As the standard
 * asks, a bad query is answered with a VOTable error document (INFO name="Error" and
 * QUERY_STATUS=ERROR) and HTTP 200, not with the JSON error the rest of the API uses.
 */
import { VOTABLE_MEDIA_TYPE, catalogVoFields, toVoTable, voTableError } from '../../export/index.js';
import { SkyclipError } from '../../util/errors.js';
import { objectJson } from '../present.js';
import { defineRoute } from '../route.js';
import { ScsQuerySchema } from '../schemas.js';

/** Most rows of one cone search unless MAXREC asks for fewer. */
export const SCS_MAX_ROWS = 10_000;

export const scs = defineRoute({
  method: 'get',
  path: '/v1/scs',
  tag: 'vo',
  summary: 'IVOA Simple Cone Search (VOTable)',
  description: `Objects within SR degrees of (RA, DEC), in catalog order, at most ${SCS_MAX_ROWS} (MAXREC lowers it). VERB=1 gives id, ra, dec only. Errors are VOTable error documents (HTTP 200), as SCS 1.03 asks.`,
  // Validated in the handler, so that errors are VOTable documents.
  queryDoc: ScsQuerySchema,
  responses: { 200: { description: 'VOTable 1.4 (TABLEDATA)', contentType: VOTABLE_MEDIA_TYPE } },
  handle: ({ services, req, res }) => {
    const raw: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(req.query)) raw[k.toUpperCase()] = Array.isArray(v) ? v[0] : v;
    const parsed = ScsQuerySchema.safeParse(raw);
    res.type(VOTABLE_MEDIA_TYPE);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const name = String(issue.path[0] ?? 'query');
      const missing = raw[name] === undefined;
      res.send(voTableError(missing ? `missing parameter ${name} (cone search needs RA, DEC and SR in degrees)` : `${name}: ${issue.message}`));
      return;
    }
    const { RA, DEC, SR, VERB, MAXREC } = parsed.data;
    const limit = Math.min(MAXREC ?? SCS_MAX_ROWS, SCS_MAX_ROWS);
    let rows;
    try {
      rows = SR > 0 && limit > 0 ? services.store.select({ cone: { ra: RA, dec: DEC, radiusDeg: SR } }, { limit: limit + 1 }) : [];
    } catch (err) {
      if (err instanceof SkyclipError && err.code === 'BAD_INPUT') {
        res.send(voTableError(err.message));
        return;
      }
      throw err;
    }
    const truncated = rows.length > limit;
    const all = catalogVoFields();
    const fields = VERB === 1 ? all.filter((f) => f.name === 'id' || f.name === 'ra' || f.name === 'dec') : all;
    res.send(
      toVoTable(
        rows.slice(0, limit).map((r) => objectJson(r)),
        {
          resourceName: 'skyclip cone search',
          description: `Objects of the skyclip catalog within ${SR} deg of (${RA}, ${DEC})`,
          fields,
          infos: [
            { name: 'RA', value: String(RA) },
            { name: 'DEC', value: String(DEC) },
            { name: 'SR', value: String(SR) },
            ...(truncated ? [{ name: 'Warning', value: 'truncated', content: `more than ${limit} objects in the cone; only ${limit} returned (MAXREC)` }] : []),
          ],
        },
      ),
    );
  },
});
