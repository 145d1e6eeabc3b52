/**
 * A small, self-contained API explorer: it reads /openapi.json and lists every operation with its
 * parameters, a generated example body and a "send" button. No CDN, no build step: it works on a
 * machine without internet, where hosted Swagger UI cannot load.
 */
export function explorerPage(): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Commerce hub API explorer</title>
<style>
  :root { font-family: system-ui, sans-serif; color: #1d2330; background: #f6f7f9; }
  body { margin: 0 auto; max-width: 1100px; padding: 1rem; }
  header { display: flex; gap: 1rem; align-items: center; flex-wrap: wrap; }
  h1 { font-size: 1.3rem; margin: 0.4rem 0; }
  input, textarea, select, button { font: inherit; }
  #token { flex: 1; min-width: 16rem; padding: 0.4rem; }
  #filter { padding: 0.4rem; }
  h2 { font-size: 1.05rem; margin-top: 1.4rem; text-transform: capitalize; }
  details { background: #fff; border: 1px solid #d9dde5; border-radius: 6px; margin: 0.35rem 0; }
  summary { cursor: pointer; padding: 0.5rem 0.7rem; display: flex; gap: 0.7rem; align-items: baseline; }
  .m { font-weight: 700; width: 4.2rem; text-transform: uppercase; font-size: 0.85rem; }
  .get { color: #116b3a; } .post { color: #1a4fa0; } .patch, .put { color: #8a5a00; } .delete { color: #a4161a; }
  .path { font-family: ui-monospace, monospace; }
  .sum { color: #5b6475; }
  .op { padding: 0 0.8rem 0.8rem; }
  .op label { display: block; margin: 0.3rem 0; font-size: 0.9rem; }
  .op input { width: 18rem; padding: 0.25rem; }
  textarea { width: 100%; min-height: 8rem; font-family: ui-monospace, monospace; font-size: 0.85rem; }
  pre { background: #10151f; color: #e6e9ef; padding: 0.6rem; border-radius: 4px; overflow: auto; max-height: 24rem; }
  .lock { font-size: 0.8rem; color: #8a5a00; }
</style>
</head>
<body>
<header>
  <h1>Commerce hub API</h1>
  <input id="token" placeholder="Bearer token (from POST /auth/login or POST /terminals)" autocomplete="off">
  <input id="filter" placeholder="filter operations">
  <a href="/openapi.json">openapi.json</a>
</header>
<p id="info" class="sum">Loading /openapi.json…</p>
<main id="ops"></main>
<script>
(() => {
  const tokenInput = document.getElementById('token');
  tokenInput.value = localStorage.getItem('explorer.token') || '';
  tokenInput.addEventListener('change', () => localStorage.setItem('explorer.token', tokenInput.value.trim()));
  const el = (tag, attrs = {}, ...children) => {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) k === 'text' ? (node.textContent = v) : node.setAttribute(k, v);
    for (const child of children) node.append(child);
    return node;
  };
  let doc;
  const resolve = (schema) => {
    let s = schema || {};
    for (let i = 0; s.$ref && i < 20; i++) s = doc.components.schemas[s.$ref.split('/').pop()] || {};
    return s;
  };
  const example = (schema, depth = 0) => {
    const s = resolve(schema);
    if (depth > 6) return null;
    if (s.example !== undefined) return s.example;
    if (s.default !== undefined) return s.default;
    if (s.enum) return s.enum[0];
    if (s.anyOf || s.oneOf) return example((s.anyOf || s.oneOf).find((x) => resolve(x).type !== 'null'), depth + 1);
    const type = Array.isArray(s.type) ? s.type.find((t) => t !== 'null') : s.type;
    if (type === 'object' || s.properties) {
      const out = {};
      for (const [k, v] of Object.entries(s.properties || {})) out[k] = example(v, depth + 1);
      return out;
    }
    if (type === 'array') return [example(s.items, depth + 1)];
    if (type === 'integer' || type === 'number') return s.minimum ?? 1;
    if (type === 'boolean') return true;
    return '';
  };
  const render = (filter) => {
    const byTag = new Map();
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(item)) {
        const text = (method + ' ' + path + ' ' + (op.summary || '')).toLowerCase();
        if (filter && !text.includes(filter.toLowerCase())) continue;
        const tag = (op.tags && op.tags[0]) || 'other';
        if (!byTag.has(tag)) byTag.set(tag, []);
        byTag.get(tag).push({ path, method, op });
      }
    }
    const root = document.getElementById('ops');
    root.replaceChildren();
    for (const [tag, ops] of byTag) {
      root.append(el('h2', { text: tag }));
      for (const { path, method, op } of ops) root.append(operation(path, method, op));
    }
  };
  const operation = (path, method, op) => {
    const details = el('details');
    const summary = el('summary', {}, el('span', { class: 'm ' + method, text: method }), el('span', { class: 'path', text: path }),
      el('span', { class: 'sum', text: op.summary || '' }));
    if (op.security) summary.append(el('span', { class: 'lock', text: 'token' }));
    const body = el('div', { class: 'op' });
    if (op.description) body.append(el('p', { class: 'sum', text: op.description }));
    const inputs = [];
    for (const p of op.parameters || []) {
      const input = el('input', { placeholder: p.in + (p.required ? ' (required)' : '') });
      inputs.push({ p, input });
      body.append(el('label', { text: p.name + ' ' }, input));
    }
    let textarea;
    const media = op.requestBody && op.requestBody.content && op.requestBody.content['application/json'];
    if (media) {
      textarea = el('textarea');
      textarea.value = JSON.stringify(example(media.schema), null, 2);
      body.append(textarea);
    }
    const out = el('pre', { text: '' });
    const send = el('button', { text: 'Send' });
    send.addEventListener('click', async () => {
      let url = path;
      const query = new URLSearchParams();
      const headers = {};
      for (const { p, input } of inputs) {
        if (!input.value) continue;
        if (p.in === 'path') url = url.replace('{' + p.name + '}', encodeURIComponent(input.value));
        else if (p.in === 'query') query.set(p.name, input.value);
        else if (p.in === 'header') headers[p.name] = input.value;
      }
      const token = tokenInput.value.trim();
      if (token) headers.authorization = 'Bearer ' + token;
      if (textarea) headers['content-type'] = 'application/json';
      const qs = query.toString();
      out.textContent = '…';
      try {
        const res = await fetch(url + (qs ? '?' + qs : ''), { method: method.toUpperCase(), headers, body: textarea ? textarea.value : undefined });
        const text = await res.text();
        let shown = text;
        try { shown = JSON.stringify(JSON.parse(text), null, 2); } catch {}
        out.textContent = res.status + ' ' + res.statusText + '\\n' + shown;
      } catch (e) {
        out.textContent = String(e);
      }
    });
    body.append(send, out);
    details.append(summary, body);
    return details;
  };
  fetch('/openapi.json').then((r) => r.json()).then((d) => {
    doc = d;
    document.getElementById('info').textContent = d.info.title + ' ' + d.info.version + ' — ' + Object.keys(d.paths).length + ' paths';
    render('');
    document.getElementById('filter').addEventListener('input', (e) => render(e.target.value));
  }).catch((e) => { document.getElementById('info').textContent = 'could not load /openapi.json: ' + e; });
})();
</script>
</body>
</html>`;
}
