// Shoppers' search page: results as they type (debounced; a newer query aborts and outranks an
// older one, so a slow stale response never overwrites a fresh one), facets as checkboxes with
// disjunctive counts, price range, in-stock toggle, highlighted names, keyboard navigation.
const store = document.body.dataset.store;
const currency = document.body.dataset.currency || 'USD';
const FACETS = [
  ['category', 'Category'],
  ['brand', 'Brand'],
  ['tags', 'Tags'],
];
const DEBOUNCE_MS = 150;
const money = new Intl.NumberFormat(undefined, { style: 'currency', currency });
const $ = (sel) => document.querySelector(sel);
const q = $('#q');
const results = $('#results');
const status = $('#status');
const facetsBox = $('#facets');
const selected = Object.fromEntries(FACETS.map(([f]) => [f, new Set()]));
let seq = 0;
let shown = 0;
let inflight = null;
let timer = 0;

if (window.matchMedia('(max-width: 700px)').matches) $('#filters').open = false;
q.focus();

const quote = (v) => '`' + v + '`';

function filterBy(except) {
  const parts = [];
  for (const [field] of FACETS) {
    if (field === except || selected[field].size === 0) continue;
    const values = [...selected[field]].filter((v) => !v.includes('`')).map(quote);
    if (values.length) parts.push(`${field}:=[${values.join(',')}]`);
  }
  if ($('#in-stock').checked) parts.push('in_stock:true');
  const min = Number.parseFloat($('#price-min').value);
  const max = Number.parseFloat($('#price-max').value);
  if (Number.isFinite(min) || Number.isFinite(max)) {
    const lo = Number.isFinite(min) ? Math.round(min * 100) : 0;
    const hi = Number.isFinite(max) ? Math.round(max * 100) : 1e12;
    if (lo <= hi) parts.push(`price:[${lo}..${hi}]`);
  }
  return parts.join(' && ');
}

function url(params) {
  const u = new URL(`/stores/${encodeURIComponent(store)}/search`, location.origin);
  for (const [k, v] of Object.entries(params)) if (v !== '') u.searchParams.set(k, v);
  return u;
}

async function fetchJson(u, signal) {
  const res = await fetch(u, { signal, headers: { accept: 'application/json' } });
  const body = await res.json();
  if (!res.ok) throw new Error(body?.error?.message || `HTTP ${res.status}`);
  return body;
}

async function run() {
  const mine = ++seq;
  inflight?.abort();
  const ctrl = new AbortController();
  inflight = ctrl;
  const text = q.value.trim();
  const main = fetchJson(
    url({ q: text, filter_by: filterBy(null), facet_by: FACETS.map(([f]) => f).join(','), per_page: '20' }),
    ctrl.signal,
  );
  // disjunctive facets: a field's own selection must not hide its other values
  const own = FACETS.filter(([f]) => selected[f].size > 0).map(([f]) =>
    fetchJson(url({ q: text, filter_by: filterBy(f), facet_by: f, per_page: '1' }), ctrl.signal).then((r) => [f, r]),
  );
  try {
    const [body, ...extra] = await Promise.all([main, ...own]);
    if (mine < shown) return; // an older request finishing late
    shown = mine;
    const facetCounts = new Map(body.facet_counts.map((f) => [f.field, f.counts]));
    for (const [field, r] of extra) facetCounts.set(field, r.facet_counts[0]?.counts ?? []);
    render(body, facetCounts);
  } catch (error) {
    if (error.name === 'AbortError') return;
    if (mine >= shown) status.textContent = `Search failed: ${error.message}`;
  }
}

function schedule() {
  clearTimeout(timer);
  timer = setTimeout(run, DEBOUNCE_MS);
}

function render(body, facetCounts) {
  status.dataset.found = String(body.found);
  status.textContent = `${body.found} ${body.found === 1 ? 'result' : 'results'} · ${body.search_time_ms} ms`;
  results.replaceChildren(
    ...body.hits.map(({ document: d, highlight }) => {
      const li = document.createElement('li');
      li.className = 'hit';
      li.tabIndex = 0;
      li.dataset.id = d.id;
      const name = document.createElement('span');
      name.className = 'name';
      name.innerHTML = highlight.name; // server-escaped, only <mark> added
      const price = document.createElement('span');
      price.className = 'price';
      price.textContent =
        d.min_price === d.max_price
          ? money.format(d.min_price / 100)
          : `${money.format(d.min_price / 100)} – ${money.format(d.max_price / 100)}`;
      const meta = document.createElement('span');
      meta.className = 'meta';
      meta.textContent = [d.brand, d.category].filter(Boolean).join(' · ');
      const stock = document.createElement('span');
      stock.className = `stock ${d.in_stock ? 'in' : 'out'}`;
      stock.textContent = d.in_stock ? 'In stock' : 'Out of stock';
      li.append(name, price, meta, stock);
      return li;
    }),
  );
  renderFacets(facetCounts);
}

function renderFacets(facetCounts) {
  const focused = document.activeElement?.closest?.('#facets') ? document.activeElement.id : null;
  facetsBox.replaceChildren(
    ...FACETS.map(([field, label]) => {
      const counts = new Map((facetCounts.get(field) ?? []).map((c) => [c.value, c.count]));
      for (const v of selected[field]) if (!counts.has(v)) counts.set(v, 0);
      const set = document.createElement('fieldset');
      set.className = 'facet';
      set.dataset.field = field;
      const legend = document.createElement('legend');
      legend.textContent = label;
      set.append(legend);
      for (const [value, count] of counts) {
        const id = `f-${field}-${value.replace(/[^a-z0-9]+/gi, '-')}`;
        const row = document.createElement('label');
        const box = document.createElement('input');
        box.type = 'checkbox';
        box.name = field;
        box.value = value;
        box.id = id;
        box.checked = selected[field].has(value);
        box.addEventListener('change', () => {
          if (box.checked) selected[field].add(value);
          else selected[field].delete(value);
          run();
        });
        const text = document.createElement('span');
        text.textContent = value;
        const n = document.createElement('span');
        n.className = 'count';
        n.textContent = String(count);
        row.append(box, text, n);
        set.append(row);
      }
      return set;
    }),
  );
  if (focused) document.getElementById(focused)?.focus();
}

q.addEventListener('input', schedule);
q.addEventListener('keydown', (e) => {
  if (e.key === 'ArrowDown') {
    e.preventDefault();
    results.querySelector('.hit')?.focus();
  } else if (e.key === 'Escape') {
    q.value = '';
    run();
  } else if (e.key === 'Enter') {
    clearTimeout(timer);
    run();
  }
});
results.addEventListener('keydown', (e) => {
  const item = e.target.closest('.hit');
  if (!item) return;
  if (e.key === 'ArrowDown') {
    e.preventDefault();
    item.nextElementSibling?.focus();
  } else if (e.key === 'ArrowUp') {
    e.preventDefault();
    (item.previousElementSibling ?? q).focus();
  } else if (e.key === 'Escape') {
    q.focus();
  }
});
document.addEventListener('keydown', (e) => {
  if (e.key === '/' && document.activeElement !== q && !(document.activeElement instanceof HTMLInputElement)) {
    e.preventDefault();
    q.focus();
    q.select();
  }
});
for (const el of ['#in-stock', '#price-min', '#price-max']) $(el).addEventListener('input', schedule);
run();
