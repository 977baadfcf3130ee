// 执行事项 page: history, reports (上报) with 智能预审 findings, and the actions of this user:
// an operator of the unit reports or asks for 延期; a reviewer approves or rejects (驳回).
import { api, listOf } from '../api.js';
import { facts, h, notice, replace, section, table } from '../dom.js';
import { busy, field, onSubmit, options, splitList, summaryBox } from '../forms.js';
import { checklistFrom, listHint, tooFew } from '../checklist.js';
import { COMMON_EVIDENCE, EVIDENCE, EXTENSION_STATES, ITEM_STATES, PARTNER_ROLES, REPORT_STATES, ROLES, label } from '../labels.js';
import { countdown, date, dateTime, isPast, legalBasis, light, pageTitle, problem, replyDue, stateBadge, todayIso, units } from '../ui.js';

const REPORTABLE = ['open', 'rejected'];

export async function render(root, ctx, outcome) {
  replace(root);
  let item;
  try { item = await api.get(`/items/${ctx.params[0]}`); } catch (err) {
    root.append(pageTitle('执行事项'), err.status === 404 && !err.unavailable ? notice('warn', '该执行事项不存在，或不在您的查看范围内。') : problem(err));
    return;
  }
  const refresh = (message, findings) => render(root, ctx, { message, findings }).then(() => root.querySelector('h1')?.focus());
  root.append(
    h('nav', { class: 'crumbs', 'aria-label': '位置' }, h('a', { href: '#/decisions' }, '处分决定'), ' / ',
      h('a', { href: `#/decisions/${item.decision_id}` }, await decisionTitle(item.decision_id)), ' / ', item.name),
    pageTitle(`${item.seq}. ${item.name}`, stateBadge(item.state), item.light ? light(item.light) : null));
  if (outcome?.message) root.append(notice('ok', outcome.message));
  if (outcome?.findings) root.append(findingsPanel(outcome.findings, true));
  root.append(section('事项信息', facts([
    ['状态', label(ITEM_STATES, item.state)], ['开启日期', item.opens_on ? date(item.opens_on) : item.state === 'locked' ? '前序事项通过后开启' : '已开启'],
    ['截止日期', item.due_date ? h('span', null, date(item.due_date), ' ', item.state === 'rejected' ? null : countdown(item.due_date, item.state)) : null],
    ['整改期限', item.state === 'rejected' && item.countdown_to ? h('span', null, date(item.countdown_to), ' ', countdown(item.countdown_to, item.state)) : null],
    ['延期上限', item.extension_limit ? date(item.extension_limit) : null],
    ['协作部门', (item.partners || []).map((p) => label(PARTNER_ROLES, p))],
    ['须在其后办理', (item.after || []).length ? `${item.after.length} 项前序事项通过后` : null],
  ]), h('h3', null, '法律依据'), legalBasis(item.legal_basis)));

  const user = ctx.user;
  if (user.role === 'operator' && user.unit_id === item.unit_id && REPORTABLE.includes(item.state)) {
    root.append(await reportForm(item, refresh), extensionForm(item, refresh));
  }
  if (user.role === 'reviewer' && item.state === 'submitted') root.append(await reviewPanel(item, refresh));
  if (user.role === 'reviewer') {
    const pending = (item.extensions || []).filter((e) => ['requested', 'pending'].includes(e.state || e.status));
    if (pending.length) root.append(extensionsPanel(pending, refresh));
  }
  if (Array.isArray(item.partner_notices) && (item.partner_notices.length || item.partners?.length)) {
    root.append(partnerNoticesPanel(item.partner_notices, await units().catch(() => new Map())));
  }
  if (item.reports) root.append(section('上报与审核记录', reportsList(item)));
  if (item.extensions?.length) root.append(section('延期申请', extensionTable(item.extensions)));
  root.append(section('办理记录', historyTable(item.history || [])));
}

async function decisionTitle(id) {
  try { const d = await api.get(`/decisions/${id}`); return `${d.person?.name || ''} · ${d.doc_number}`; } catch { return '所属处分决定'; }
}

// -- 上报 -------------------------------------------------------------------------------
/** The item's checklist ({fields, common, problems}): the server's, or labels.js's where it answers none. */
async function checklist(item) {
  let body = null;
  try { body = await api.get(`/items/${item.id}/checklist`); } catch { /* the review service offers no checklist: use the rule table's */ }
  return checklistFrom(body, item.code);
}

function evidenceField(spec, rows) {
  const name = `evidence.${spec.key}`;
  const opts = spec.options ? spec.options.map((o) => (Array.isArray(o) ? o : [o, o])) : undefined;
  const type = { list: 'text', money: 'text', select: 'select', checks: 'checks' }[spec.type] || spec.type;
  return field({ name, label: spec.label, type, required: spec.required, hint: [spec.hint, listHint(spec)].filter(Boolean).join('；') || null,
    placeholder: spec.placeholder, options: type === 'select' ? [['', '请选择'], ...opts] : opts, rows,
    wide: spec.type === 'textarea', attrs: spec.type === 'money' ? { inputmode: 'decimal' } : null });
}

/** The evidence object: lists split, numbers numeric, ticks boolean, blanks left out. */
function evidenceFrom(v, specs) {
  const evidence = {};
  for (const spec of specs) {
    const raw = v[`evidence.${spec.key}`];
    if (spec.type === 'checkbox') { evidence[spec.key] = raw === 'true'; continue; }
    if (spec.type === 'checks') { const list = [].concat(raw || []); if (list.length) evidence[spec.key] = list; continue; }
    if (raw === undefined || raw === '') continue;
    evidence[spec.key] = spec.type === 'list' ? splitList(raw) : spec.type === 'number' ? Number(raw) : raw;
  }
  return evidence;
}

async function reportForm(item, refresh) {
  const { fields: own, common } = await checklist(item);
  const specs = [...own, ...common];
  const attachments = attachmentPicker();
  const submit = h('button', { type: 'submit', class: 'primary' }, item.state === 'rejected' ? '整改后重新上报' : '上报');
  const form = h('form', { novalidate: true, class: 'report-form' },
    summaryBox(),
    item.state === 'rejected' ? notice('warn', '该事项已被驳回，请按整改要求办理后重新上报。') : null,
    h('div', { class: 'grid' },
      field({ name: 'performed_on', label: '办理日期', type: 'date', required: true, attrs: { max: todayIso() } }),
      own.map((spec) => evidenceField(spec)),
      common.map((spec) => evidenceField(spec, 3))),
    attachments.box,
    h('div', { class: 'actions' }, submit));
  onSubmit(form, submit, async (v) => {
    const short = tooFew(specs, v);
    if (Object.keys(short).length) throw Object.assign(new Error('请按提示补全后再上报'), { fields: short });
    const body = { performed_on: v.performed_on || null, evidence: evidenceFrom(v, specs), attachments: attachments.ids() };
    const reply = await api.post(`/items/${item.id}/reports`, body);
    await refresh('已上报，等待审理室审核。', findingsOf(reply) || []);
  });
  return section(`上报：${item.name}`, form);
}

/** Files chosen are uploaded at once (POST /attachments, multipart); the report carries their ids. */
function attachmentPicker() {
  const uploaded = [];
  const list = h('ul', { class: 'attachments' });
  const status = h('div', { 'aria-live': 'polite' });
  const input = h('input', { type: 'file', multiple: true, id: 'attachment-input', accept: '.pdf,.jpg,.jpeg,.png,.doc,.docx' });
  const draw = () => replace(list, uploaded.map((a, i) => h('li', null, a.filename || a.name || `附件 ${a.id}`, ' ',
    h('button', { type: 'button', class: 'link-button', onclick: () => { uploaded.splice(i, 1); draw(); } }, '移除'))));
  input.addEventListener('change', async () => {
    for (const file of input.files) {
      replace(status, h('span', { class: 'muted' }, `正在上传 ${file.name}…`));
      const form = new FormData();
      form.append('file', file, file.name);
      try {
        const reply = await api.upload('/attachments', form);
        uploaded.push({ ...reply, filename: reply.filename || file.name });
        replace(status);
      } catch (err) { replace(status, problem(err, '附件上传')); break; }
      draw();
    }
    input.value = '';
  });
  const box = h('div', { class: 'field wide', 'data-field': 'attachments' },
    h('label', { for: 'attachment-input' }, '证明材料（回执、会议记录、照片等扫描件）'), input, list, status,
    h('div', { class: 'field-error', id: 'attachments-err' }));
  return { box, ids: () => uploaded.map((a) => a.id) };
}

function findingsOf(reply) {
  if (!reply) return null;
  return reply.findings || reply.precheck || reply.pre_check || reply.checks || reply.report?.findings || null;
}

/** 智能预审: problems the platform found before a reviewer looks. */
function findingsPanel(findings, fresh) {
  if (!findings.length) return notice(fresh ? 'ok' : 'info', '智能预审：未发现问题。');
  return h('div', { class: 'notice notice-warn', role: 'status' },
    h('strong', null, `智能预审发现 ${findings.length} 个问题：`),
    h('ul', null, findings.map((f) => h('li', null,
      typeof f === 'string' ? f : [h('span', { class: 'tag' }, f.category || f.problem || f.code || '提示'), ' ', f.message || f.detail || '']))));
}

// -- 审核 -------------------------------------------------------------------------------
async function pendingReport(item) {
  const reports = item.reports || [];
  const waiting = reports.filter((r) => ['submitted', 'pending'].includes(r.state || r.status));
  if (waiting.length) return waiting[waiting.length - 1];
  if (reports.length) return reports[reports.length - 1];
  const queue = listOf(await api.get('/review/queue')).items;
  return queue.find((r) => (r.item_id ?? r.item?.id) === item.id) || null;
}

async function reviewPanel(item, refresh) {
  let report;
  try { report = await pendingReport(item); } catch (err) { return section('审核', problem(err, '审核')); }
  if (!report) return section('审核', notice('info', '没有找到待审核的上报。'));
  const { problems } = await checklist(item);
  const approveButton = h('button', { type: 'submit', class: 'primary' }, '审核通过');
  const approve = h('form', { novalidate: true }, summaryBox(),
    field({ name: 'comment', label: '审核意见', type: 'textarea', rows: 2, wide: true }), h('div', { class: 'actions' }, approveButton));
  onSubmit(approve, approveButton, async ({ comment }) => {
    await api.post(`/reports/${report.id}/approve`, { comment });
    await refresh('已审核通过，后续事项已按顺序开启。');
  });
  const rejectButton = h('button', { type: 'submit', class: 'danger' }, '驳回');
  const reject = h('form', { novalidate: true }, summaryBox(), h('div', { class: 'grid' },
    field({ name: 'problem', label: '问题类别', type: 'select', required: true, options: options(problems, '请选择') }),
    field({ name: 'rectify_by', label: '整改期限', type: 'date', required: true, attrs: { min: todayIso() } }),
    field({ name: 'requirement', label: '整改要求', type: 'textarea', required: true, rows: 3, wide: true })),
    h('div', { class: 'actions' }, rejectButton));
  onSubmit(reject, rejectButton, async (v) => {
    await api.post(`/reports/${report.id}/reject`, { problem: v.problem, requirement: v.requirement, rectify_by: v.rectify_by || null });
    await refresh('已驳回，事项退回主体责任部门整改。');
  });
  return section('审核', reportCard(report, item.code),
    h('div', { class: 'columns' }, h('div', { class: 'subpanel' }, h('h3', null, '通过'), approve),
      h('div', { class: 'subpanel' }, h('h3', null, '驳回'), reject)));
}

// -- 延期 -------------------------------------------------------------------------------
function extensionForm(item, refresh) {
  const submit = h('button', { type: 'submit' }, '申请延期');
  const form = h('form', { novalidate: true }, summaryBox(), h('div', { class: 'grid' },
    field({ name: 'days', label: '延期天数', type: 'number', required: true, attrs: { min: 1, step: 1 },
      hint: item.extension_limit ? `法定最迟可延至 ${date(item.extension_limit)}` : '延期不得超过法定期限' }),
    field({ name: 'reason', label: '延期理由', type: 'textarea', required: true, rows: 2, wide: true })),
    h('div', { class: 'actions' }, submit));
  onSubmit(form, submit, async (v) => {
    await api.post(`/items/${item.id}/extension`, { days: v.days ? Number(v.days) : null, reason: v.reason });
    await refresh('延期申请已提交，等待审理室批准。');
  });
  const details = h('details', { class: 'panel' }, h('summary', null, '申请延期'), form);
  return details;
}

function extensionsPanel(pending, refresh) {
  return section('待批准的延期申请', pending.map((ext) => {
    const button = h('button', { type: 'button', class: 'primary' }, '批准延期');
    const status = h('div', { 'aria-live': 'polite' });
    button.addEventListener('click', () => busy(button, async () => {
      try { await api.post(`/extensions/${ext.id}/approve`, {}); await refresh('已批准延期。'); }
      catch (err) { replace(status, problem(err, '延期审批')); }
    }));
    return h('div', { class: 'subpanel' }, facts([['申请延期', `${ext.days} 天`], ['理由', ext.reason], ['申请时间', dateTime(ext.created_at || ext.requested_at)]]), button, status);
  }));
}

function extensionTable(extensions) {
  return table([
    { label: '天数', cell: (e) => `${e.days} 天` }, { label: '理由', cell: (e) => e.reason },
    { label: '状态', cell: (e) => label(EXTENSION_STATES, e.state || e.status) },
    { label: '延至', cell: (e) => date(e.new_due_date || e.due_date) },
    { label: '申请时间', cell: (e) => dateTime(e.created_at || e.requested_at) },
  ], extensions);
}

// -- 协作部门回执 ------------------------------------------------------------------------
/** The notices sent to the partner departments about this item (点对点), read or not, answered or not. */
function partnerNoticesPanel(notices, unitMap) {
  const title = '协作部门通知与回执';
  if (!notices.length) return section(title, h('p', { class: 'muted' }, '尚未向协作部门发出通知（事项开启时发出）。'));
  const answered = notices.filter((n) => n.acknowledged_at).length;
  const late = (n) => !n.acknowledged_at && isPast(n.reply_due);
  const overdue = notices.filter(late).length;
  return section(title,
    h('p', null, `共 ${notices.length} 份通知，${answered} 份已回执，${notices.length - answered} 份待回执`,
      overdue ? h('span', { class: 'countdown overdue' }, `（${overdue} 份已过回复期限）`) : null),
    table([
      { label: '协作部门', cell: (n) => (n.kind === 'partner' ? label(PARTNER_ROLES, n.role) : unitMap.get(n.unit_id)?.name || '—') },
      { label: '通知', cell: (n) => h('span', null, n.title || '通知', ' ', h('span', { class: 'muted nowrap' }, dateTime(n.created_at))) },
      { label: '阅读', cell: (n) => (n.read_at ? h('span', null, h('span', { class: 'badge state-locked' }, '已读'), ' ', h('span', { class: 'muted nowrap' }, dateTime(n.read_at)))
        : h('span', { class: 'badge state-open' }, '未读')) },
      { label: '回执', cell: (n) => (n.acknowledged_at
        ? h('span', null, h('span', { class: 'badge state-approved' }, '已回执'), ' ', h('span', { class: 'muted nowrap' }, dateTime(n.acknowledged_at)),
          n.acknowledged_unit_id && unitMap.get(n.acknowledged_unit_id) ? [' ', h('span', { class: 'muted' }, unitMap.get(n.acknowledged_unit_id).name)] : null)
        : h('span', { class: `badge ${late(n) ? 'state-rejected' : 'state-submitted'}` }, late(n) ? '回执逾期' : '待回执')) },
      { label: '反馈', cell: (n) => (n.acknowledged_at ? n.feedback || h('span', { class: 'muted' }, '（未填写）') : '—') },
      { label: '回复期限', cell: (n) => replyDue(n.reply_due, Boolean(n.acknowledged_at)) || '—' },
    ], notices));
}

// -- records ----------------------------------------------------------------------------
function reportsList(item) {
  if (!item.reports.length) return h('p', { class: 'muted' }, '尚未上报');
  return [...item.reports].reverse().map((r) => reportCard(r, item.code));
}

function reportCard(report, code) {
  // This item's own checklist names a key first (recipients means 送达对象 for SERVE, 抄送单位 for COPY).
  const labels = Object.fromEntries([...Object.values(EVIDENCE).flat(), ...(EVIDENCE[code] || [])].map((s) => [s.key, s.label]));
  for (const spec of COMMON_EVIDENCE) labels[spec.key] = spec.label;
  const evidence = Object.entries(report.evidence || {}).map(([k, v]) => [labels[k] || k, show(v)]);
  const reviews = report.reviews || (report.review ? [report.review] : []);
  return h('article', { class: 'report' },
    h('header', null, h('strong', null, `第 ${report.round || report.seq || ''} 次上报`.replace('第  次', '')), ' ',
      stateBadge(report.state || report.status, REPORT_STATES), ' ',
      h('span', { class: 'muted' }, dateTime(report.submitted_at || report.created_at))),
    facts([['办理日期', date(report.performed_on)], ...evidence,
      ['证明材料', (report.attachments || []).map((a) => (typeof a === 'object' ? a.filename || a.name || `附件 ${a.id}` : `附件 ${a}`))]]),
    findingsOf(report) ? findingsPanel(findingsOf(report), false) : null,
    reviews.map((r) => h('div', { class: `review review-${r.outcome || r.decision || r.kind}` },
      h('strong', null, ['reject', 'rejected'].includes(r.outcome || r.decision || r.kind) ? '驳回' : '审核通过'), ' ',
      h('span', { class: 'muted' }, dateTime(r.at || r.created_at)),
      facts([['问题类别', r.problem], ['整改要求', r.requirement], ['整改期限', r.rectify_by ? date(r.rectify_by) : null], ['审核意见', r.comment]]))));
}

function show(value) {
  if (typeof value === 'boolean') return value ? '是' : '否';
  if (Array.isArray(value)) return value.join('、');
  if (value && typeof value === 'object') return JSON.stringify(value);
  return String(value ?? '—');
}

function historyTable(history) {
  return table([
    { label: '时间', cell: (t) => dateTime(t.at), class: 'nowrap' },
    { label: '变化', cell: (t) => h('span', null, t.from_state ? label(ITEM_STATES, t.from_state) + ' → ' : '', label(ITEM_STATES, t.to_state)) },
    { label: '操作人', cell: (t) => (t.actor_role ? label(ROLES, t.actor_role) : '系统') },
    { label: '说明', cell: (t) => t.reason || '' },
  ], history, '暂无记录');
}
