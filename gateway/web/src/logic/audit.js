// The audit trail in words a leader reads: 查看处分决定列表, 上报执行事项, 驳回上报…
export const AREAS = [
  { path: '/api/v1/decisions', label: '处分决定' }, { path: '/api/v1/items', label: '执行事项与上报' },
  { path: '/api/v1/reports', label: '审核' }, { path: '/api/v1/review', label: '审核队列' },
  { path: '/api/v1/notices', label: '通知与回执' }, { path: '/api/v1/library', label: '资料袋' },
  { path: '/api/v1/templates', label: '文书模板' }, { path: '/api/v1/auth', label: '登录' },
  { path: '/api/v1/users', label: '用户' }, { path: '/api/v1/units', label: '单位' },
];

// [method, path pattern, words]; the first that matches wins.
const RULES = [
  ['POST', /^\/auth\/login$/, '登录'], ['POST', /^\/auth\/logout$/, '退出登录'],
  ['GET', /^\/me$/, '查看本人信息'], ['POST', /^\/me\/password$/, '修改密码'],
  ['GET', /^\/decisions$/, '查看处分决定列表'], ['POST', /^\/decisions$/, '登记处分决定'],
  ['GET', /^\/decisions\/\d+$/, '查看处分决定'], ['GET', /^\/items\/\d+$/, '查看执行事项'],
  ['GET', /^\/items\/\d+\/checklist$/, '查看报送材料清单'], ['POST', /^\/items\/\d+\/reports$/, '上报执行事项'],
  ['POST', /^\/items\/\d+\/extension$/, '申请延期'], ['POST', /^\/extensions\/\d+\/approve$/, '批准延期'],
  ['POST', /^\/extensions\/\d+\/refuse$/, '不予批准延期'], ['POST', /^\/reports\/\d+\/approve$/, '审核通过上报'],
  ['POST', /^\/reports\/\d+\/reject$/, '驳回上报'], ['GET', /^\/review\/queue$/, '查看审核队列'],
  ['POST', /^\/guidance$/, '发出指导意见'], ['GET', /^\/guidance$/, '查看指导意见'],
  ['POST', /^\/attachments$/, '上传证明材料'], ['GET', /^\/attachments\/[^/]+$/, '查看证明材料'],
  ['GET', /^\/alerts$/, '查看预警与超期'], ['GET', /^\/deadlines\/forecast$/, '查看到期预测'],
  ['GET', /^\/lights\/units$/, '查看单位亮灯'], ['GET', /^\/stats\//, '查看统计分析'],
  ['GET', /^\/rulebook$/, '查看规则库'], ['GET', /^\/library\/search$/, '检索资料袋'], ['POST', /^\/library\/search$/, '检索资料袋'],
  ['GET', /^\/library\/regulations$/, '查看法规目录'], ['GET', /^\/library\/regulations\/[^/]+$/, '查看法规全文'],
  ['GET', /^\/library\/regulations\/[^/]+\/articles\/[^/]+$/, '查看法规条文'], ['GET', /^\/templates$/, '查看文书模板'],
  ['POST', /^\/templates\/[^/]+\/render$/, '生成文书'], ['GET', /^\/notices$/, '查看通知'],
  ['POST', /^\/notices\/\d+\/read$/, '阅读通知'], ['POST', /^\/notices\/\d+\/ack$/, '回执通知'],
  ['GET', /^\/units$/, '查看单位'], ['POST', /^\/units$/, '添加单位'], ['GET', /^\/users$/, '查看用户'],
  ['POST', /^\/users$/, '添加用户'], ['PATCH', /^\/users\/\d+$/, '修改用户'], ['GET', /^\/subscriptions$/, '查看订阅'],
  ['POST', /^\/subscriptions$/, '添加订阅'], ['GET', /^\/deliveries$/, '查看推送记录'],
  ['POST', /^\/deliveries\/[^/]+\/redeliver$/, '重新推送'], ['GET', /^\/audit/, '查看审计记录'],
  ['GET', /^\/health$/, '检查运行状态'], ['GET', /^\/metrics$/, '读取运行指标'],
];

export function describeRequest(method, path) {
  const bare = String(path || '').split('?')[0].replace(/^\/api\/v1/, '');
  const found = RULES.find(([m, pattern]) => m === method && pattern.test(bare));
  if (found) return found[2];
  if (!String(path || '').startsWith('/api/')) return '打开网页端';
  return method === 'GET' ? '查看其他信息' : '其他操作';
}

export function outcomeText(status) {
  if (status < 400) return '成功';
  if (status === 401) return '未登录或登录失效';
  if (status === 403) return '无权操作';
  if (status === 404) return '未找到';
  if (status === 409) return '状态冲突';
  if (status === 422) return '不符合规则';
  if (status === 429) return '尝试过多';
  if (status < 500) return '填写有误';
  return '服务出错';
}
