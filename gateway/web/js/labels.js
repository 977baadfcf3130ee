// What the screen calls things.  Codes stay English in the API; the UI speaks Chinese.
export const ROLES = { admin: '系统管理员', reviewer: '审理室', operator: '经办人', partner: '协作部门', leader: '领导' };
export const UNIT_KINDS = { review: '审理室', responsible: '主体责任部门', partner: '协作部门' };
export const PARTNER_ROLES = { organization: '组织部门', hr: '人社部门', finance: '财政部门', united_front: '统战部门', other: '其他' };

export const ITEM_STATES = { locked: '未开启', open: '进行中', submitted: '待审核', approved: '已通过', rejected: '已驳回' };
export const DECISION_STATUSES = { executing: '执行中', completed: '已完成' };
export const LIGHTS = { green: '绿灯', yellow: '黄灯', red: '红灯' };
export const ALERT_LEVELS = { reminder: '提醒', warning: '预警', overdue: '超期' };
export const SANCTION_KINDS = { party: '党纪处分', government: '政务处分' };
export const REPORT_STATES = { submitted: '待审核', approved: '已通过', rejected: '已驳回', pending: '待审核' };
export const EXTENSION_STATES = { requested: '待批准', pending: '待批准', approved: '已批准', refused: '未批准', rejected: '未批准' };

// Sanction types and periods, and the registration form's vocabularies, are the rule book's:
// js/rulebook.js builds them from GET /rulebook.  No copy of them here.

// Short names for legal references, as reviewers write them (《政务处分法》第46条).
export const REGULATION_SHORT = {
  L01: '政务处分法', L02: '监察法', L05: '公务员法', L09: '国有企业管理人员处分条例',
  P01: '纪律处分条例', P03: '处分违纪党员批准权限和程序规定', P04: '监督执纪工作规则',
  P05: '纪律检查委员会工作条例', P06: '组织处理规定', S01: '监察法实施条例', S02: '事业单位工作人员处分暂行规定',
};

export const LIBRARY_CATEGORIES = ['法律法规', '党内法规', '监察法规文件', '地方制度'];
export const LIBRARY_STATUSES = ['现行有效', '已被取代', '历史文本'];

// 智能预审 and 驳回 speak the reviewers' problem categories: problem_categories of
// services/review/evidence.yaml, in its order and by its names (its problem_aliases, e.g.
// 三书落实不及时, are other names the server also accepts, never offered here).  The 驳回 form
// offers the list GET /items/{id}/checklist answers; this copy only when it answers none.
export const PROBLEM_CATEGORIES = ['以送达代替宣布', '送达部门遗漏', '本人不表态', '投档不及时', '执行不报告',
  '年度考核运用不规范', '两书落实不及时', '违纪所得未退缴', '证明材料不全', '其他'];

export const RATING_GRADES = ['优秀', '称职(合格)', '基本称职', '不称职(不合格)', '不定等次'];

/**
 * The evidence a report carries, per item code (rules.md, "a reviewer's checklist").  Used when
 * the review service offers no checklist of its own.  type list = names separated by 、 or commas.
 * The form of services/review/evidence.yaml (review.checklist.Checklist.form): the same keys,
 * labels, types, required marks and options, checked by tests/e2e/test_web_client.py.
 * min_items: the fewest entries a list takes (evidence.yaml's min_items; 宣布人 at least two),
 * which the server's form does not carry: the report form shows and checks it from here.
 */
export const EVIDENCE = {
  SERVE: [
    { key: 'served_on', label: '送达日期', type: 'date', required: true },
    { key: 'recipients', label: '送达对象（本人及所在单位）', type: 'list', required: true, min_items: 1 },
    { key: 'receipt_signed', label: '本人已签收回执', type: 'checkbox' },
    { key: 'unit_seal', label: '加盖单位公章', type: 'checkbox' },
  ],
  ANNOUNCE: [
    { key: 'announced_on', label: '宣布日期', type: 'date', required: true },
    { key: 'scope', label: '参会范围', type: 'textarea', required: true },
    { key: 'announcers', label: '宣布人', type: 'list', required: true, min_items: 2 },
    { key: 'attendance', label: '参会人数', type: 'number', required: true },
    { key: 'statement', label: '本人表态', type: 'textarea' },
    { key: 'refused_to_sign', label: '本人拒绝签字', type: 'checkbox' },
  ],
  COPY: [
    { key: 'copied_on', label: '抄送日期', type: 'date', required: true },
    { key: 'recipients', label: '抄送单位', type: 'list', required: true, min_items: 1 },
    { key: 'letter_number', label: '函件文号', type: 'textarea', required: true },
  ],
  ARCHIVE: [
    { key: 'filed_on', label: '归档日期', type: 'date', required: true },
    { key: 'archive_holder', label: '档案管理单位', type: 'textarea', required: true },
  ],
  TREATMENT: [
    { key: 'effective_on', label: '生效日期', type: 'date', required: true },
    { key: 'changes', label: '调整内容（职务/职级/工资档次）', type: 'textarea', required: true },
    { key: 'approval_number', label: '审批文号', type: 'textarea', required: true },
  ],
  ORG_HANDLING: [
    { key: 'measure', label: '组织处理措施', type: 'textarea', required: true },
    { key: 'document_number', label: '文件文号', type: 'textarea', required: true },
  ],
  ASSETS: [
    { key: 'amount_ordered', label: '应收缴退赔金额', type: 'money', required: true },
    { key: 'amount_recovered', label: '已收缴退赔金额', type: 'money', required: true },
    { key: 'receipt_number', label: '票据号', type: 'textarea', required: true },
    { key: 'recovered_on', label: '收缴日期', type: 'date', required: true },
  ],
  LETTERS: [
    { key: 'implemented_on', label: '落实日期', type: 'date', required: true },
    { key: 'letters', label: '已落实的文书', type: 'list', required: true, min_items: 1 },
    { key: 'summary', label: '落实情况', type: 'textarea', required: true },
  ],
  REPORT: [
    { key: 'reported_on', label: '报告日期', type: 'date', required: true },
    { key: 'document_number', label: '报告文号', type: 'textarea', required: true },
  ],
  RATING: [
    { key: 'year', label: '考核年度', type: 'number', required: true },
    { key: 'grade', label: '考核等次', type: 'select', options: RATING_GRADES, required: true },
  ],
  EDU_VISIT: [
    { key: 'visited_on', label: '回访日期', type: 'date', required: true },
    { key: 'visitors', label: '回访人', type: 'list', required: true, min_items: 1 },
    { key: 'situation', label: '本人思想工作情况', type: 'textarea', required: true },
    { key: 'record', label: '回访记录', type: 'textarea', required: true },
  ],
  RESTORE: [
    { key: 'outcome', label: '处理结果', type: 'select', options: ['恢复', '延长', '开除'], required: true },
    { key: 'meeting_document', label: '会议材料', type: 'textarea', required: true },
    { key: 'approval_document', label: '批准文件', type: 'textarea', required: true },
  ],
};

/**
 * Fields every report may carry besides its item's own (common_evidence of evidence.yaml, the
 * checklist's common_fields): used when the server's checklist names none.
 */
export const COMMON_EVIDENCE = [
  { key: 'note', label: '补充说明', type: 'textarea', required: false },
];

export function label(map, code) {
  return (code !== null && code !== undefined && map[code]) || code || '—';
}
