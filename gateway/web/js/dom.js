// Building the page from data without markup strings: every value lands as text.
let uid = 0;

/** h('a', {href, class, onclick}, child...) — children are nodes or text (never parsed as HTML). */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === 'class') el.className = value;
    else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (key === 'value') el.value = value;
    else if (key === 'checked' || key === 'selected') el[key] = Boolean(value);
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const child of [children].flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

export function replace(el, ...children) { return append(clear(el), children); }

export function nextId(prefix = 'f') { uid += 1; return `${prefix}-${uid}`; }

/**
 * A search snippet with <em>…</em> highlights, rebuilt safely: the snippet is parsed in an
 * inert document, emphasis becomes <mark>, everything else only contributes its text.
 */
export function highlighted(snippet) {
  const out = document.createDocumentFragment();
  const doc = new DOMParser().parseFromString(`<body>${snippet ?? ''}</body>`, 'text/html');
  const walk = (node) => {
    for (const child of node.childNodes) {
      if (child.nodeType === Node.TEXT_NODE) out.append(child.textContent);
      else if (child.nodeType !== Node.ELEMENT_NODE || ['SCRIPT', 'STYLE', 'TEMPLATE'].includes(child.tagName)) continue;
      else if (['EM', 'B', 'STRONG', 'MARK'].includes(child.tagName)) out.append(h('mark', null, child.textContent));
      else walk(child);
    }
  };
  walk(doc.body);
  return out;
}

/** Inline message box: kind is info | ok | warn | error. */
export function notice(kind, text, ...extra) {
  return h('div', { class: `notice notice-${kind}`, role: kind === 'error' ? 'alert' : 'status' }, text, ...extra);
}

/** A table from columns [{label, cell(row) → node|text, class}], wrapped to scroll on narrow screens. */
export function table(columns, rows, empty = '暂无数据') {
  const head = h('thead', null, h('tr', null, columns.map((c) => h('th', { scope: 'col', class: c.class }, c.label))));
  const body = h('tbody', null, rows.length
    ? rows.map((row) => h('tr', null, columns.map((c) => h('td', { class: c.class, 'data-label': c.label }, h('div', null, c.cell(row))))))
    : h('tr', null, h('td', { colspan: columns.length, class: 'empty' }, empty)));
  return h('div', { class: 'table-wrap' }, h('table', { class: 'data' }, head, body));
}

/** Definition list from [label, value] pairs, skipping empty values. */
export function facts(pairs) {
  const dl = h('dl', { class: 'facts' });
  for (const [label, value] of pairs) {
    if (value === null || value === undefined || value === '' || (Array.isArray(value) && !value.length)) continue;
    dl.append(h('div', null, h('dt', null, label), h('dd', null, Array.isArray(value) ? value.join('、') : value)));
  }
  return dl;
}

export function section(title, ...children) {
  return h('section', { class: 'panel' }, h('h2', null, title), ...children);
}

/** Offer a Blob to the user as a file. */
export function saveBlob(blob, filename) {
  const link = h('a', { href: URL.createObjectURL(blob), download: filename });
  document.body.append(link);
  link.click();
  setTimeout(() => { URL.revokeObjectURL(link.href); link.remove(); }, 1000);
}
