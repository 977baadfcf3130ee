// The API's field errors ({"person": {"name": ["…"]}} or {"person.name": ["…"]}) as one flat
// map of dotted paths to Chinese text, the form's own paths where they differ.

// marshmallow's default messages, as the page says them.
const ENGLISH = [
  [/^Missing data for required field\.?$/, '必填'], [/^Field may not be null\.?$/, '不能为空'],
  [/^Not a valid integer\.?$/, '应为整数'], [/^Not a valid date\.?$/, '不是有效的日期'],
  [/^Not a valid (number|decimal)\.?$/i, '应为数字'], [/^Not a valid string\.?$/, '应为文字'],
  [/^Not a valid boolean\.?$/, '应为是或否'], [/^Not a valid list\.?$/, '应为列表'],
  [/^Must be one of: .*$/, '不在可选范围内'], [/^Unknown field\.?$/, '不认识的字段'],
  [/^Shorter than minimum length (\d+)\.?$/, '长度不足'], [/^Longer than maximum length (\d+)\.?$/, '内容过长'],
  [/^Length must be between .*$/, '长度不符合要求'], [/^Not a valid email address\.?$/, '不是有效的电子邮件地址'],
  [/^Not a valid URL\.?$/, '不是有效的网址'],
];

export function inChinese(text) {
  const found = ENGLISH.find(([pattern]) => pattern.test(text));
  return found ? found[1] : text;
}

/** {dotted.path: 'text；text'} from the API's nested or dotted `fields`. */
export function flatten(fields, prefix = '') {
  const out = {};
  const add = (path, text) => { out[path] = out[path] ? `${out[path]}；${text}` : text; };
  for (const [key, value] of Object.entries(fields || {})) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (Array.isArray(value)) {
      const texts = value.filter((v) => typeof v !== 'object' && v !== null && v !== undefined);
      if (texts.length) add(path, texts.map((t) => inChinese(String(t))).join('；'));
      value.filter((v) => v && typeof v === 'object').forEach((v) => Object.assign(out, flatten(v, path)));
    } else if (value && typeof value === 'object') Object.assign(out, flatten(value, path));
    else if (value !== null && value !== undefined) add(path, inChinese(String(value)));
  }
  return out;
}

/**
 * Each problem at the nearest path the form has (a deeper path goes to its parent field);
 * problems no field shows are returned apart, for the message at the top.
 */
export function placeErrors(fields, known, mapPath = (p) => p) {
  const placed = {};
  const rest = [];
  for (const [path, text] of Object.entries(flatten(fields))) {
    const parts = mapPath(path).split('.');
    let found = null;
    while (parts.length) {
      const candidate = parts.join('.');
      if (known.includes(candidate)) { found = candidate; break; }
      parts.pop();
    }
    if (found) placed[found] = placed[found] ? `${placed[found]}；${text}` : text;
    else rest.push(text);
  }
  return { placed, rest };
}
