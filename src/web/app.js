// The skyclip web page: a thin client of the public HTTP API (no private endpoints, no build step).
// Everything the server returns is put on the page with textContent / attributes, never innerHTML,
// because object ids and catalog values are user-controlled (POST /v1/objects).
//
// URL parameters make any view linkable (and let the browser test drive the page):
//   /?id=ID&modality=image|spectrum&target=both|image|spectrum&k=N&class=GALAXY&zmin=..&zmax=..

const $ = (id) => document.getElementById(id);

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null) continue;
    if (key === 'class') node.className = value;
    else if (key.startsWith('data-')) node.setAttribute(key, value);
    else node[key] = value;
  }
  for (const child of children) node.append(child instanceof Node ? child : String(child));
  return node;
}

async function api(path, body) {
  const init = body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
  const response = await fetch(path, init);
  const json = await response.json().catch(() => null);
  if (!response.ok) {
    const message = json?.error?.message ?? `${response.status} ${response.statusText}`;
    const err = new Error(message);
    err.status = response.status;
    throw err;
  }
  return json;
}

const fmt = (x, digits = 3) => (typeof x === 'number' && Number.isFinite(x) ? x.toFixed(digits) : '–');

// ---- service status -----------------------------------------------------------------------

async function waitUntilReady() {
  for (;;) {
    try {
      const health = await api('/health');
      if (health.status === 'ready') {
        $('status').textContent = `ready · model ${health.model ?? '?'} · ${health.objects ?? '?'} objects indexed`;
        $('status').dataset.state = 'ready';
        return;
      }
      if (health.status === 'failed') {
        $('status').textContent = `the service failed to start: ${health.message ?? 'see its log'}`;
        $('status').dataset.state = 'failed';
        return;
      }
      const p = health.progress;
      $('status').textContent = p ? `starting: ${p.stage} ${p.done}/${p.total}` : 'starting…';
      $('status').dataset.state = 'starting';
    } catch {
      $('status').textContent = 'cannot reach the service; retrying…';
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

// ---- search -------------------------------------------------------------------------------

const selected = new Set();

function readForm() {
  const filter = {};
  const cls = $('class').value;
  if (cls) filter.class = cls;
  const zmin = $('z-min').value;
  const zmax = $('z-max').value;
  if (zmin !== '' || zmax !== '') {
    filter.range = { z: {} };
    if (zmin !== '') filter.range.z.min = Number(zmin);
    if (zmax !== '') filter.range.z.max = Number(zmax);
  }
  const request = {
    query: { id: $('query-id').value.trim(), modality: $('query-modality').value },
    target: $('target').value,
    k: Number($('k').value) || 12,
  };
  if (Object.keys(filter).length > 0) request.filter = filter;
  return request;
}

function card(hit, queryId) {
  const row = hit.object ?? {};
  const box = el('input', { type: 'checkbox', title: 'use as an example for “more like these”', checked: selected.has(hit.id) });
  box.addEventListener('change', () => {
    if (box.checked) selected.add(hit.id);
    else selected.delete(hit.id);
    $('rare-button').disabled = selected.size === 0;
    $('rare-button').textContent = `More like these (${selected.size})`;
  });
  const img = hit.links?.cutout
    ? el('img', { src: hit.links.cutout, alt: `cutout of ${hit.id}`, width: 96, height: 96, loading: 'lazy' })
    : el('div', { class: 'no-image' }, 'no image');
  const name = el('a', { href: '#', class: 'object-link' }, hit.id);
  name.addEventListener('click', (event) => {
    event.preventDefault();
    showObject(hit.id);
  });
  const facts = [row.class ?? '?', `z ${fmt(row.z)}`].join(' · ');
  const score = hit.similarity !== undefined ? `sim ${fmt(hit.similarity)}` : `score ${fmt(hit.score)}`;
  return el('figure', { class: hit.id === queryId ? 'hit is-query' : 'hit', 'data-id': hit.id }, img, el('figcaption', {}, box, name, el('br'), facts, el('br'), score));
}

async function runSearch(event) {
  event?.preventDefault();
  $('search-error').hidden = true;
  const request = readForm();
  if (!request.query.id) return;
  const params = new URLSearchParams({ id: request.query.id, modality: request.query.modality, target: request.target, k: String(request.k) });
  history.replaceState(null, '', `?${params}`);
  $('search-button').disabled = true;
  try {
    const response = await api('/v1/search', request);
    const groups = $('result-groups');
    groups.replaceChildren();
    for (const result of response.results) {
      const label = `${result.modality === 'image' ? 'Images' : 'Spectra'}${result.crossModal ? ' (cross-modal)' : ''} · ${result.strategy}`;
      groups.append(el('h3', {}, label), el('div', { class: 'grid', 'data-modality': result.modality }, ...result.hits.map((h) => card(h, request.query.id))));
    }
    $('results').hidden = false;
    showObject(request.query.id);
  } catch (err) {
    $('search-error').textContent = err.message;
    $('search-error').hidden = false;
  } finally {
    $('search-button').disabled = false;
  }
}

async function runRare() {
  const positives = [...selected].map((id) => ({ id }));
  $('rare-button').disabled = true;
  try {
    const response = await api('/v1/search/rare', { positives, k: 12 });
    $('rare-results').replaceChildren(
      el('h3', {}, `More like these ${positives.length} (${response.method})`),
      el('div', { class: 'grid', id: 'rare-grid' }, ...response.hits.map((h) => card(h))),
    );
  } catch (err) {
    $('rare-results').replaceChildren(el('p', { class: 'error' }, err.message));
  } finally {
    $('rare-button').disabled = selected.size === 0;
  }
}

async function surprise() {
  try {
    const response = await api('/v1/outliers?modality=image&k=20');
    const pick = response.outliers[Math.floor(Math.random() * response.outliers.length)];
    if (!pick) return;
    $('query-id').value = pick.id;
    await runSearch();
  } catch (err) {
    $('search-error').textContent = err.message;
    $('search-error').hidden = false;
  }
}

// ---- one object ---------------------------------------------------------------------------

const SHOWN_COLUMNS = ['class', 'sample', 'z', 'mag_r', 'logmstar', 'logssfr', 'zmw', 'tage', 'morph_type', 'is_lens', 'is_merger'];

async function showObject(id) {
  try {
    const response = await api(`/v1/objects/${encodeURIComponent(id)}`);
    const row = response.object ?? response;
    const links = response.links ?? {};
    $('detail-title').textContent = `${id} (ra ${fmt(row.ra, 4)}, dec ${fmt(row.dec, 4)})`;
    $('detail-cutout').hidden = !links.cutout;
    if (links.cutout) $('detail-cutout').src = links.cutout;
    $('detail-spectrum').hidden = !links.spectrum;
    if (links.spectrum) $('detail-spectrum').src = links.spectrum;
    $('detail-table').replaceChildren(
      ...SHOWN_COLUMNS.filter((c) => row[c] !== null && row[c] !== undefined).map((c) => el('tr', {}, el('th', {}, c), el('td', {}, typeof row[c] === 'number' ? fmt(row[c]) : String(row[c])))),
    );
    $('detail').hidden = false;
    const predicted = await api('/v1/predict', { query: { id, modality: 'image' }, targets: ['redshift', 'logmstar', 'class'], neighbours: false });
    $('detail-predictions').replaceChildren(
      ...Object.entries(predicted.predictions).map(([name, p]) => {
        const interval = p.task === 'regression' ? p.intervals.find((i) => i.level === 0.68) : null;
        const text =
          p.task === 'regression'
            ? `${fmt(p.value)}${interval ? ` (68 %: ${fmt(interval.lower)} – ${fmt(interval.upper)})` : ''}`
            : `${p.value} (p = ${fmt(p.probabilities[p.value], 2)})`;
        const truth = row[p.column];
        return el('tr', { 'data-target': name }, el('th', {}, name), el('td', {}, text), el('td', { class: 'truth' }, truth === null || truth === undefined ? '' : `catalog: ${typeof truth === 'number' ? fmt(truth) : truth}`));
      }),
    );
  } catch (err) {
    $('detail-predictions').replaceChildren(el('tr', {}, el('td', { class: 'error' }, err.message)));
  }
}

// ---- start --------------------------------------------------------------------------------

$('search-form').addEventListener('submit', runSearch);
$('rare-button').addEventListener('click', runRare);
$('random-button').addEventListener('click', surprise);

const params = new URLSearchParams(location.search);
for (const [param, field] of [['id', 'query-id'], ['modality', 'query-modality'], ['target', 'target'], ['k', 'k'], ['class', 'class'], ['zmin', 'z-min'], ['zmax', 'z-max']]) {
  if (params.has(param)) $(field).value = params.get(param);
}
await waitUntilReady();
if (params.has('id')) await runSearch();
document.body.dataset.ready = 'true';
