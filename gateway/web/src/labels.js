// What the screen calls the API's codes.  Codes stay English in the API; the page speaks
// Chinese.  The rule book's own lists (sanction types, items and their names, vocabularies)
// are not here: they come from GET /rulebook (rulebook.js), and the evidence checklist and
// the problem categories from GET /items/{id}/checklist.
export const ROLES = { admin: '系统管理员', reviewer: '审理室', operator: '单位经办', partner: '协作部门', leader: '领导' };
export const UNIT_KINDS = { review: '审理室', responsible: '主体责任部门', partner: '协作部门' };
export const PARTNER_ROLES = { organization: '组织部门', hr: '人社部门', finance: '财政部门', united_front: '统战部门', other: '其他' };
export const ITEM_STATES = { locked: '未开启', open: '办理中', submitted: '待审核', approved: '已通过', rejected: '已驳回' };
export const DECISION_STATUSES = { executing: '执行中', completed: '已执行完毕' };
export const REFORM_STATUSES = { executing: '整改中', completed: '整改完成' };
export const LIGHTS = { green: '绿灯', yellow: '黄灯', red: '红灯' };
export const ALERT_LEVELS = { reminder: '提醒', warning: '预警', overdue: '超期' };
export const SANCTION_KINDS = { party: '党纪处分', government: '政务处分' };
export const REPORT_STATES = { submitted: '待审核', approved: '已通过', rejected: '已驳回' };
export const EXTENSION_STATES = { requested: '待批准', approved: '已批准', refused: '未批准' };
export const DELIVERY_STATES = { pending: '待发送', delivered: '已送达', dead: '已停止重试' };
export const CHANNELS = { webhook: '接口推送', email: '电子邮件' };
export const LIBRARY_CATEGORIES = ['法律法规', '党内法规', '监察法规文件', '地方制度'];
export const LIBRARY_STATUSES = ['现行有效', '已被取代', '历史文本'];

// The events a subscription may name, as a reader says them.
export const EVENTS = {
  decision_registered: '处分决定登记', item_opened: '执行事项开启', item_state_changed: '执行事项状态变化',
  decision_completed: '处分决定执行完毕', item_submitted: '上报', item_approved: '审核通过', item_rejected: '驳回',
  guidance_issued: '指导意见', extension_approved: '延期批准', reform_registered: '以案促改登记', reform_completed: '以案促改完成', deadline_reminder: '提醒', deadline_warning: '预警',
  deadline_overdue: '超期', deadline_cleared: '预警解除', notice_acknowledged: '回执',
};

/** The Chinese name of a code, or a dash; never the code itself when the map lacks it. */
export function label(map, code, unknown = '—') {
  if (code === null || code === undefined || code === '') return '—';
  return map[code] || unknown;
}
