/**
 * Export formats on their own (no jobs): CSV quoting and float32 round trips, a FITS BINTABLE
 * built from streamed pieces read back by skyclip's reader and by astropy, Parquet row groups
 * read back by hyparquet, and VOTable documents checked for well-formedness, against astropy's
 * parser and against the VOTable 1.4 XML schema.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import {
  ParquetExportWriter,
  catalogVoFields,
  csvColumnNames,
  csvField,
  csvHeader,
  csvRows,
  encodeFitsRows,
  exportSchema,
  fitsDataPadding,
  fitsHeader,
  fitsText,
  formatFloat32,
  measureFitsText,
  parquetColumns,
  planFitsTable,
  toVoTable,
  voTableError,
  xmlEscape,
  type ExportRow,
} from '../../src/export/index.js';
import { readFits } from '../../src/io/fits/read.js';
import type { BinTableHdu } from '../../src/io/fits/types.js';
import { SkyclipError } from '../../src/util/errors.js';
import { HAS_LXML, SKIP_ASTROPY, awkwardRows, checkWellFormedXml, parseCsv, python, xmlUnescape } from './helpers.js';

const DIM = 6;
const root = mkdtempSync(join(tmpdir(), 'skyclip-export-formats-'));
after(() => rmSync(root, { recursive: true, force: true }));

const schema = exportSchema({ modalities: ['image', 'spectrum'], dimension: DIM, modelId: 'model-abc' });
const rows = awkwardRows(DIM);

describe('CSV', () => {
  it('quotes fields with commas, quotes, line breaks and edge spaces, and only those', () => {
    assert.equal(csvField('plain'), 'plain');
    assert.equal(csvField('a,b'), '"a,b"');
    assert.equal(csvField('say "hi"'), '"say ""hi"""');
    assert.equal(csvField('two\nlines'), '"two\nlines"');
    assert.equal(csvField('cr\rhere'), '"cr\rhere"');
    assert.equal(csvField(' padded'), '" padded"');
    assert.equal(csvField(null), '');
    assert.equal(csvField(NaN), '');
    assert.equal(csvField(0.1), '0.1');
    assert.equal(csvField(true), 'true');
  });

  it('writes float32 components as the shortest text that reads back to the same float32', () => {
    const values = new Float32Array(2000);
    let seed = 7;
    for (let i = 0; i < values.length; i++) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      values[i] = (seed / 2 ** 31 - 0.5) * 10 ** ((i % 9) - 4);
    }
    for (const v of values) {
      const text = formatFloat32(v);
      assert.equal(Math.fround(Number(text)), v, `${v} -> ${text}`);
      const digits = text.replace(/e.*$/, '').replace(/[-.]/g, '').replace(/^0+/, '');
      assert.ok(digits.length <= 9, `${text} has ${digits.length} significant digits`);
    }
    assert.equal(formatFloat32(Math.fround(0.1)), '0.1');
  });

  it('round-trips awkward rows through an independent RFC 4180 parser', () => {
    const text = csvHeader(schema) + csvRows(schema, rows.slice(0, 2)) + csvRows(schema, rows.slice(2));
    const parsed = parseCsv(text);
    const names = csvColumnNames(schema);
    assert.deepEqual(parsed[0], names);
    assert.equal(names.length, schema.columns.length + 2 * DIM);
    assert.equal(parsed.length, 1 + rows.length);
    rows.forEach(({ row, vectors }, r) => {
      const record = Object.fromEntries(names.map((n, i) => [n, parsed[r + 1]![i]!]));
      assert.equal(record.id, row.id);
      assert.equal(Number(record.ra), row.ra);
      assert.equal(record.morph_type, row.morph_type ?? '');
      assert.equal(record.image_path, row.image_path ?? '');
      assert.equal(record.z, row.z === null ? '' : String(row.z));
      assert.equal(record.is_lens, row.is_lens === null ? '' : String(row.is_lens));
      assert.deepEqual(record.extra ? JSON.parse(record.extra) : {}, row.extra);
      for (const m of ['image', 'spectrum'] as const) {
        const cells = Array.from({ length: DIM }, (_, i) => record[`${m}_emb_${i}`]!);
        const v = vectors[m];
        if (!v) assert.deepEqual(cells, Array(DIM).fill(''));
        else assert.deepEqual(cells.map((c) => Math.fround(Number(c))), Array.from(v));
      }
    });
  });
});

describe('FITS', () => {
  const path = join(root, 'table.fits');
  const widths = measureFitsText(schema, rows.map((r) => r.row), {});
  const layout = planFitsTable(schema, widths);
  const data = [encodeFitsRows(layout, rows.slice(0, 1)), encodeFitsRows(layout, rows.slice(1))];
  const dataBytes = data.reduce((s, d) => s + d.length, 0);
  const bytes = Buffer.concat([fitsHeader(layout, rows.length, { date: '2025-01-02T03:04:05.678Z' }), ...data, fitsDataPadding(dataBytes)]);
  writeFileSync(path, bytes);

  it('streams a BINTABLE that skyclip reads back value for value', async () => {
    assert.equal(bytes.length % 2880, 0);
    assert.equal(dataBytes, rows.length * layout.rowBytes);
    const file = await readFits(path);
    const table = file.hdus[1] as BinTableHdu;
    assert.equal(table.kind, 'bintable');
    assert.equal(table.nrows, rows.length);
    const col = (name: string) => table.columns.find((c) => c.name === name)!;
    assert.deepEqual(col('id').data, rows.map((r) => fitsText(r.row.id)));
    assert.equal(col('id').data[2], 'unicode-\\u00e9-\\u661f');
    assert.equal(col('image_emb').format, `${DIM}E`);
    assert.equal(col('ra').unit, 'deg');
    rows.forEach(({ vectors }, r) => {
      for (const m of ['image', 'spectrum'] as const) {
        const got = Array.from((col(`${m}_emb`).data as Float32Array).subarray(r * DIM, (r + 1) * DIM));
        const v = vectors[m];
        if (v) assert.deepEqual(got, Array.from(v));
        else assert.ok(got.every(Number.isNaN));
      }
    });
    assert.deepEqual(Array.from(col('z').data as Float64Array).map((x) => (Number.isNaN(x) ? null : x)), rows.map((r) => r.row.z));
    const cards = new Map(table.cards.map((c) => [c.key, c.value]));
    assert.equal(cards.get('MODELID'), 'model-abc');
    assert.equal(cards.get('EMB_DIM'), DIM);
    assert.equal(cards.get('DATE'), '2025-01-02T03:04:05');
    assert.match(String(cards.get('CREATOR')), /^skyclip /);
  });

  it('refuses a text wider than the widths measured up front', () => {
    const wider: ExportRow = { ...rows[0]!, row: { ...rows[0]!.row, class: 'X'.repeat(100) } };
    assert.throws(() => encodeFitsRows(layout, [wider]), (err: unknown) => err instanceof SkyclipError && err.code === 'CONFLICT' && /wider than/.test(err.message));
  });

  it('passes astropy verify("exception") and reads back in astropy', { skip: SKIP_ASTROPY }, () => {
    const out = python(
      `
import sys, json, warnings, numpy as np
warnings.simplefilter('error')
from astropy.io import fits
from astropy.table import Table
with fits.open(sys.argv[1]) as h:
    h.verify('exception')
    hdr = h[1].header
    t = Table.read(h[1])
print(json.dumps({
  'ids': [str(x) for x in t['id']],
  'image': np.asarray(t['image_emb'].filled(np.nan) if hasattr(t['image_emb'], 'filled') else t['image_emb'], dtype=float).tolist(),
  'shape': list(t['spectrum_emb'].shape), 'dtype': str(t['spectrum_emb'].dtype),
  'unit': str(t['ra'].unit), 'lens': [bool(x) for x in t['is_lens']],
  'model': hdr['MODELID'], 'dim': hdr['EMB_DIM'], 'tdim': hdr['TDIM' + str(t.colnames.index('image_emb') + 1)],
}, allow_nan=True))
`,
      path,
    );
    const got = JSON.parse(out.replace(/NaN/g, 'null')) as { ids: string[]; image: Array<Array<number | null>>; shape: number[]; dtype: string; unit: string; lens: boolean[]; model: string; dim: number; tdim: string };
    assert.deepEqual(got.ids, rows.map((r) => fitsText(r.row.id)));
    assert.deepEqual(got.shape, [rows.length, DIM]);
    assert.equal(got.dtype, '>f4');
    assert.equal(got.unit, 'deg');
    assert.deepEqual(got.lens, [true, false, false]); // null is stored as 0x00, which astropy reads as False
    assert.equal(got.model, 'model-abc');
    assert.equal(got.dim, DIM);
    assert.equal(got.tdim, `(${DIM})`);
    assert.deepEqual(got.image[0], Array.from(rows[0]!.vectors.image!));
    assert.deepEqual(got.image[2], Array(DIM).fill(null));
  });
});

describe('Parquet', () => {
  it('writes row groups that hyparquet reads back, vectors as list<float>', async () => {
    const path = join(root, 'table.parquet');
    const writer = ParquetExportWriter.create(path, schema, { jobId: 'j1' });
    writer.write(parquetColumns(schema, rows.slice(0, 2)));
    writer.write(parquetColumns(schema, rows.slice(2)));
    writer.finish();
    const buf = (await import('node:fs')).readFileSync(path);
    const file = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
    const meta = parquetMetadata(file);
    assert.equal(meta.row_groups.length, 2);
    assert.equal(meta.num_rows, BigInt(rows.length));
    const skyclip = JSON.parse(meta.key_value_metadata!.find((kv) => kv.key === 'skyclip')!.value!);
    assert.equal(skyclip.modelId, 'model-abc');
    assert.equal(skyclip.dimension, DIM);
    assert.deepEqual(skyclip.modalities, ['image', 'spectrum']);
    assert.equal(skyclip.columns.find((c: { name: string }) => c.name === 'ra').unit, 'deg');
    const listElement = meta.schema.find((s) => s.name === 'image_emb')!;
    assert.equal(listElement.converted_type, 'LIST');
    const objects = await parquetReadObjects({ file });
    assert.equal(objects.length, rows.length);
    rows.forEach(({ row, vectors }, r) => {
      const o = objects[r]!;
      assert.equal(o.id, row.id);
      assert.equal(o.ra, row.ra);
      assert.equal(o.z ?? null, row.z);
      assert.equal(o.is_lens ?? null, row.is_lens);
      assert.equal(o.morph_type ?? null, row.morph_type);
      assert.deepEqual(o.extra ? JSON.parse(o.extra as string) : {}, row.extra);
      for (const m of ['image', 'spectrum'] as const) {
        const v = vectors[m];
        if (v) assert.deepEqual(o[`${m}_emb`], Array.from(v));
        else assert.equal(o[`${m}_emb`] ?? null, null);
      }
    });
  });
});

describe('VOTable', () => {
  const records = rows.map(({ row }, i) => ({ ...row, similarity: 1 - i / 10 }));
  const fields = [...catalogVoFields(), { name: 'similarity', datatype: 'double' as const, ucd: 'stat.value', description: 'Cosine similarity to the query' }];
  const xml = toVoTable(records, { resourceName: 'skyclip cone <search> & "more"', description: 'Objects within 1 deg of (10, -2) & friends', fields });
  const path = join(root, 'cone.xml');
  writeFileSync(path, xml);
  const errorPath = join(root, 'error.xml');
  const message = 'RA must be in [0, 360) & <not> "1e9"';
  writeFileSync(errorPath, voTableError(message));

  it('escapes every text so the document stays well-formed, and the cells read back', () => {
    assert.equal(xmlEscape(`a<b>&"c'`), 'a&lt;b&gt;&amp;&quot;c&apos;');
    assert.equal(xmlEscape('bell\u0007'), 'bell\uFFFD');
    const { root: rootName } = checkWellFormedXml(xml);
    assert.equal(rootName, 'VOTABLE');
    assert.equal((xml.match(/<RESOURCE[\s>]/g) ?? []).length, 1);
    assert.equal((xml.match(/<TABLE[\s>]/g) ?? []).length, 1);
    const trs = [...xml.matchAll(/<TR>(.*?)<\/TR>/gs)].map((m) => [...m[1]!.matchAll(/<TD>(.*?)<\/TD>/gs)].map((td) => xmlUnescape(td[1]!)));
    assert.equal(trs.length, rows.length);
    const idIndex = fields.findIndex((f) => f.name === 'id');
    assert.deepEqual(trs.map((tr) => tr[idIndex]), rows.map((r) => r.row.id));
    for (const ucd of ['meta.id;meta.main', 'pos.eq.ra;meta.main', 'pos.eq.dec;meta.main']) assert.ok(xml.includes(`ucd="${ucd}"`), ucd);
    checkWellFormedXml(voTableError(message));
    assert.ok(voTableError(message).includes('<INFO name="QUERY_STATUS" value="ERROR">RA must be in [0, 360) &amp; &lt;not&gt; &quot;1e9&quot;</INFO>'));
  });

  it('passes astropy parse(verify="exception"), with the SCS fields marked by UCD', { skip: SKIP_ASTROPY }, () => {
    const out = python(
      `
import sys, json, warnings
warnings.simplefilter('error')
from astropy.io.votable import parse
v = parse(sys.argv[1], verify='exception')
res = v.resources
t = res[0].tables[0]
byucd = {f.ucd: f for f in t.fields if f.ucd}
e = parse(sys.argv[2], verify='exception')
print(json.dumps({
  'resources': len(res), 'tables': len(res[0].tables), 'version': v.version,
  'status': [(i.name, i.value) for i in res[0].infos],
  'main': [byucd['meta.id;meta.main'].name, byucd['pos.eq.ra;meta.main'].name, byucd['pos.eq.dec;meta.main'].name],
  'radec': [byucd['pos.eq.ra;meta.main'].datatype, str(byucd['pos.eq.ra;meta.main'].unit)],
  'ids': [str(x) for x in t.array['id']],
  'extra': str(t.array['extra'][2]), 'z0': float(t.array['z'][0]), 'sim': float(t.array['similarity'][1]),
  'name': res[0].name,
  'error_top': [(i.name, i.value) for i in e.infos],
  'error_status': [(i.name, i.value, i.content) for i in e.resources[0].infos],
}))
`,
      path,
      errorPath,
    );
    const got = JSON.parse(out);
    assert.equal(got.resources, 1);
    assert.equal(got.tables, 1);
    assert.equal(got.version, '1.4');
    assert.deepEqual(got.status, [['QUERY_STATUS', 'OK']]);
    assert.deepEqual(got.main, ['id', 'ra', 'dec']);
    assert.deepEqual(got.radec, ['double', 'deg']);
    assert.deepEqual(got.ids, rows.map((r) => r.row.id));
    assert.deepEqual(JSON.parse(got.extra), rows[2]!.row.extra);
    assert.equal(got.z0, 0.125);
    assert.equal(got.sim, 0.9);
    assert.equal(got.name, 'skyclip cone <search> & "more"');
    assert.deepEqual(got.error_top, [['Error', message]]);
    assert.deepEqual(got.error_status, [['QUERY_STATUS', 'ERROR', message]]);
  });

  it('validates against the VOTable 1.4 XML schema', { skip: SKIP_ASTROPY || (!HAS_LXML && 'python3-lxml is not installed') }, () => {
    const out = python(
      `
import sys, os
from lxml import etree
import astropy.io.votable as vo
schema = etree.XMLSchema(etree.parse(os.path.join(os.path.dirname(vo.__file__), 'data', 'VOTable.v1.4.xsd')))
for f in sys.argv[1:]:
    doc = etree.parse(f)
    print(f, schema.validate(doc), [str(e) for e in schema.error_log][:3])
`,
      path,
      errorPath,
    );
    for (const line of out.trim().split('\n')) assert.match(line, / True \[\]$/, line);
  });
});
