// 资料袋: full-text search over the articles (highlighted snippets), the regulations, one article.
import { api, listOf } from '../api.js';
import { h, highlighted, notice, section, table } from '../dom.js';
import { field, options, values } from '../forms.js';
import { LIBRARY_CATEGORIES, LIBRARY_STATUSES } from '../labels.js';
import { articleBody, load, pageTitle, pager, problem } from '../ui.js';

const PER_PAGE = 10;

export async function render(root, { query, go }) {
  const current = Object.fromEntries(query.entries());
  const page = Math.max(1, parseInt(current.page || '1', 10) || 1);
  const form = h('form', { class: 'filters library-search', role: 'search', 'aria-label': '检索法规条文' },
    field({ name: 'q', label: '关键词', type: 'search', value: current.q, placeholder: '如：处分决定 宣布', attrs: { autofocus: true } }),
    field({ name: 'category', label: '门类', type: 'select', options: options(LIBRARY_CATEGORIES, '全部'), value: current.category }),
    field({ name: 'status', label: '效力', type: 'select', options: options(LIBRARY_STATUSES, '全部'), value: current.status }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, '检索')));
  form.addEventListener('submit', (e) => { e.preventDefault(); go('/library', { ...values(form), page: 1 }); });
  const hits = h('div', { 'aria-live': 'polite' });
  const regulations = h('div');
  const templates = h('div');
  root.append(pageTitle('资料袋'), form, hits, h('div', { class: 'columns' },
    section('法律法规', regulations), section('文书模板', templates)));
  if (current.q) {
    load(hits, async () => {
      const body = await api.get('/library/search', { q: current.q, category: current.category, status: current.status, page, per_page: PER_PAGE });
      const { items, total } = listOf(body);
      if (!items.length) return notice('info', `没有找到与“${current.q}”相关的条文。`);
      return [h('ol', { class: 'hits' }, items.map(hit)), pager(page, PER_PAGE, total, (p) => go('/library', { ...current, page: p }))];
    }, '资料袋检索');
  }
  load(regulations, async () => regulationTable(listOf(await api.get('/library/regulations')).items), '法规目录');
  load(templates, async () => {
    const rows = listOf(await api.get('/templates')).items;
    return [table([{ label: '模板', cell: (t) => t.name || t.title || t.id }, { label: '说明', cell: (t) => t.description || '' }], rows, '暂无模板'),
      h('p', { class: 'muted' }, '在处分决定页面可直接生成按该决定填好的文书。')];
  }, '文书模板');
}

function hit(result) {
  const key = result.sub ? `${result.article}-${result.sub}` : result.article;
  const href = `#/library/${encodeURIComponent(result.regulation_id)}/${encodeURIComponent(key)}`;
  return h('li', { class: 'hit' },
    h('a', { href, class: 'hit-title' }, `《${result.title || result.regulation_id}》${result.label || `第${result.article}条`}`),
    result.chapter ? h('span', { class: 'muted' }, result.chapter, ' ') : null,
    result.status && result.status !== '现行有效' ? h('span', { class: 'tag warn' }, result.status) : null,
    h('p', { class: 'snippet' }, highlighted(result.snippet)));
}

function regulationTable(rows) {
  return table([
    { label: '名称', cell: (r) => h('a', { href: `#/library/${encodeURIComponent(r.id ?? r.regulation_id)}` }, r.title) },
    { label: '门类', cell: (r) => r.category || '' },
    { label: '效力', cell: (r) => h('span', { class: r.status && r.status !== '现行有效' ? 'tag warn' : 'tag ok' }, r.status || '—') },
    { label: '年份', cell: (r) => r.year || '' },
  ], rows, '暂无法规');
}

export async function renderRegulation(root, { params }) {
  const id = params[0];
  root.append(h('nav', { class: 'crumbs', 'aria-label': '位置' }, h('a', { href: '#/library' }, '资料袋'), ' / ', id));
  let regulation;
  try { regulation = await api.get(`/library/regulations/${encodeURIComponent(id)}`); } catch (err) {
    root.append(pageTitle('法规'), problem(err, '法规全文'));
    return;
  }
  root.append(pageTitle(regulation.title || id, regulation.status ? h('span', { class: 'tag' }, regulation.status) : null),
    h('p', { class: 'muted' }, [regulation.issuer, regulation.year, regulation.category].filter(Boolean).join(' · ')));
  const articles = regulation.articles || [];
  let chapter = null;
  const body = h('div', { class: 'panel regulation-text' });
  for (const a of articles) {
    if (a.chapter && a.chapter !== chapter) { chapter = a.chapter; body.append(h('h2', { class: 'chapter' }, chapter)); }
    body.append(h('div', { class: 'article' },
      h('a', { class: 'article-no', href: `#/library/${encodeURIComponent(id)}/${encodeURIComponent(a.key || a.number)}` }, a.label || `第${a.number}条`),
      (a.paragraphs || [a.text]).filter(Boolean).map((p) => h('p', null, typeof p === 'string' ? p : p.text))));
  }
  if (!articles.length) body.append(h('p', { class: 'muted' }, '（条文未载入）'));
  root.append(body);
}

export async function renderArticle(root, { params }) {
  const [id, no] = params;
  root.append(h('nav', { class: 'crumbs', 'aria-label': '位置' }, h('a', { href: '#/library' }, '资料袋'), ' / ',
    h('a', { href: `#/library/${encodeURIComponent(id)}` }, id), ' / ', no.includes('-') ? `第${no.split('-')[0]}条之${no.split('-')[1]}` : `第${no}条`));
  try {
    const article = await api.get(`/library/regulations/${encodeURIComponent(id)}/articles/${encodeURIComponent(no)}`);
    const step = (key, text) => (key ? h('a', { href: `#/library/${encodeURIComponent(id)}/${encodeURIComponent(key)}`, class: 'button' }, text) : null);
    root.append(pageTitle(`《${article.title || id}》${article.label || `第${no}条`}`, article.status ? h('span', { class: 'tag' }, article.status) : null),
      h('div', { class: 'panel article-view' }, articleBody(article, [article.chapter, article.label].filter(Boolean).join(' '))),
      h('div', { class: 'button-row' }, step(article.previous, '← 上一条'), h('a', { href: `#/library/${encodeURIComponent(id)}`, class: 'button' }, '全文'), step(article.next, '下一条 →')));
  } catch (err) {
    root.append(pageTitle(`${id} 第${no}条`), problem(err, '法规条文'));
  }
}
