// Form fields with labels, hints and the API's field errors shown next to the right input.
import { h, nextId, clear, notice } from './dom.js';

/**
 * One labelled control.  spec: {name (the API's dotted path), label, type (text | date | number |
 * textarea | select | checks | radios | checkbox | file), options [[value, label]], required,
 * hint, value, placeholder, attrs}.  Returns the wrapper; its `.control` is the input.
 */
export function field(spec) {
  const id = nextId('f');
  const errorId = id + '-err';
  const hintId = spec.hint ? id + '-hint' : null;
  const control = makeControl(spec, id, hintId);
  const label = ['checks', 'radios'].includes(spec.type)
    ? h('legend', null, spec.label, spec.required ? h('span', { class: 'req', 'aria-hidden': 'true' }, ' *') : null)
    : h('label', { for: id }, spec.label, spec.required ? h('span', { class: 'req', 'aria-hidden': 'true' }, ' *') : null);
  const wrap = h(['checks', 'radios'].includes(spec.type) ? 'fieldset' : 'div',
    { class: `field field-${spec.type || 'text'} ${spec.wide ? 'wide' : ''}`, 'data-field': spec.name },
    spec.type === 'checkbox' ? null : label, control,
    spec.type === 'checkbox' ? h('label', { for: id, class: 'inline' }, spec.label) : null,
    spec.hint ? h('div', { class: 'hint', id: hintId }, spec.hint) : null,
    h('div', { class: 'field-error', id: errorId, 'aria-live': 'polite' }));
  wrap.control = control;
  return wrap;
}

function makeControl(spec, id, hintId) {
  const common = { id, name: spec.name, required: spec.required, 'aria-describedby': hintId, ...(spec.attrs || {}) };
  switch (spec.type) {
    case 'textarea':
      return h('textarea', { ...common, rows: spec.rows || 4, placeholder: spec.placeholder, value: spec.value });
    case 'select':
      return h('select', common, (spec.options || []).map(([value, text]) =>
        h('option', { value, selected: String(value) === String(spec.value ?? '') }, text)));
    case 'checks':
    case 'radios': {
      const kind = spec.type === 'checks' ? 'checkbox' : 'radio';
      const chosen = [].concat(spec.value ?? []).map(String);
      return h('div', { class: 'choices', id }, (spec.options || []).map(([value, text]) => {
        const optionId = nextId('o');
        return h('span', { class: 'choice' },
          h('input', { type: kind, id: optionId, name: spec.name, value, checked: chosen.includes(String(value)) }),
          h('label', { for: optionId }, text));
      }));
    }
    case 'checkbox':
      return h('input', { ...common, type: 'checkbox', value: 'true', checked: spec.value });
    default:
      return h('input', { ...common, type: spec.type || 'text', value: spec.value, placeholder: spec.placeholder,
        autocomplete: spec.autocomplete || common.autocomplete || 'off' });
  }
}

/** Options from a label map, with an optional empty first choice. */
export function options(labels, empty) {
  const pairs = Array.isArray(labels) ? labels.map((v) => [v, v]) : Object.entries(labels);
  return empty === undefined ? pairs : [['', empty], ...pairs];
}

export function clearErrors(form) {
  for (const wrap of form.querySelectorAll('.has-error')) wrap.classList.remove('has-error');
  for (const box of form.querySelectorAll('.field-error')) box.textContent = '';
  for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
  const summary = form.querySelector('.form-summary');
  if (summary) clear(summary);
}

/**
 * Put each problem of the API's `fields` map next to its input.  `mapPath` turns an API path
 * into a form path (e.g. sanctions.1.months → sanction.government.months); a path with no
 * input of its own goes to its nearest parent field, else to the summary at the top.
 */
export function showErrors(form, error, mapPath = (path) => path) {
  clearErrors(form);
  const problems = flatten(error.fields || {});
  const summary = form.querySelector('.form-summary');
  const lines = [];
  let first = null;
  for (const [path, text] of problems) {
    const wrap = findField(form, mapPath(path));
    if (wrap) {
      wrap.classList.add('has-error');
      const box = wrap.querySelector(':scope > .field-error');
      box.textContent = box.textContent ? box.textContent + '；' + text : text;
      const control = wrap.querySelector('input, select, textarea');
      if (control) {
        control.setAttribute('aria-invalid', 'true');
        const described = new Set((control.getAttribute('aria-describedby') || '').split(' ').filter(Boolean));
        described.add(box.id);
        control.setAttribute('aria-describedby', [...described].join(' '));
        first = first || control;
      }
    }
    const label = wrap ? (wrap.querySelector(':scope > label, :scope > legend')?.textContent || path).replace(/\s*\*$/, '') : path;
    lines.push([label, text, wrap]);
  }
  if (summary) {
    summary.append(notice('error', error.message || '提交失败',
      lines.length ? h('ul', null, lines.map(([label, text, wrap]) => h('li', null,
        wrap ? h('a', { href: '#', onclick: (e) => { e.preventDefault(); wrap.querySelector('input, select, textarea')?.focus(); } }, label)
          : label, '：', text))) : null));
  }
  (first || summary)?.focus?.();
}

// marshmallow's default messages, as the page says them.
const ENGLISH = [
  [/^Missing data for required field\.?$/, '必填'], [/^Field may not be null\.?$/, '不能为空'],
  [/^Not a valid integer\.?$/, '应为整数'], [/^Not a valid date\.?$/, '不是有效的日期（YYYY-MM-DD）'],
  [/^Not a valid (number|decimal)\.?$/i, '应为数字'], [/^Not a valid string\.?$/, '应为文字'],
  [/^Not a valid boolean\.?$/, '应为是或否'], [/^Not a valid list\.?$/, '应为列表'],
  [/^Must be one of: .*$/, '不在可选范围内'], [/^Unknown field\.?$/, '不认识的字段'],
  [/^Shorter than minimum length (\d+)\.?$/, '长度不足'], [/^Longer than maximum length (\d+)\.?$/, '内容过长'],
];
export function inChinese(text) {
  const found = ENGLISH.find(([pattern]) => pattern.test(text));
  return found ? found[1] : text;
}

function flatten(fields, prefix = '') {
  const out = [];
  for (const [key, value] of Object.entries(fields)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (Array.isArray(value)) {
      const texts = value.filter((v) => typeof v !== 'object');
      if (texts.length) out.push([path, texts.map((t) => inChinese(String(t))).join('；')]);
      value.filter((v) => v && typeof v === 'object').forEach((v) => out.push(...flatten(v, path)));
    } else if (value && typeof value === 'object') out.push(...flatten(value, path));
    else out.push([path, inChinese(String(value))]);
  }
  return out;
}

function findField(form, path) {
  const parts = String(path).split('.');
  while (parts.length) {
    const found = form.querySelector(`[data-field="${CSS.escape(parts.join('.'))}"]`);
    if (found) return found;
    parts.pop();
  }
  return null;
}

/** The form's values: name → string, or list for checkbox groups. */
export function values(form) {
  const data = new FormData(form);
  const out = {};
  for (const key of new Set(data.keys())) {
    const all = data.getAll(key).filter((v) => typeof v === 'string');
    const multiple = form.querySelectorAll(`[name="${CSS.escape(key)}"][type=checkbox]`).length > 1;
    out[key] = multiple ? all : (all[0] ?? '').trim();
  }
  return out;
}

/**
 * Submitting `form`: its values go to `work(values)` while `button` shows it is busy; a refusal
 * puts the API's field errors next to the inputs (through `mapPath`, as in showErrors).
 */
export function onSubmit(form, button, work, mapPath) {
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(form);
    const formValues = values(form);
    await busy(button, async () => {
      try { await work(formValues); } catch (err) { showErrors(form, err, mapPath); }
    });
  });
}

/** A submit button that shows it is busy while `work` runs. */
export async function busy(button, work) {
  const label = button.textContent;
  button.disabled = true;
  button.textContent = '处理中…';
  try { return await work(); } finally { button.disabled = false; button.textContent = label; }
}

export function summaryBox() {
  return h('div', { class: 'form-summary', tabindex: '-1' });
}

/** Text split on Chinese or Latin separators: "张三、李四, 王五" → three names. */
export function splitList(text) {
  return String(text || '').split(/[、,，;；\n]+/).map((s) => s.trim()).filter(Boolean);
}
