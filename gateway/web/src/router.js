// Pages and who may open them.  Hash history: the gateway serves one page, and the notices'
// links (#/items/7) open the item directly.
import { createRouter, createWebHashHistory } from 'vue-router';
import { session } from './api.js';
import AppLayout from './components/AppLayout.vue';

const ALL = ['admin', 'reviewer', 'operator', 'partner', 'leader'];
const UNIT_READERS = ['admin', 'reviewer', 'operator', 'leader'];
const PEOPLE_READERS = ['reviewer', 'leader', 'admin', 'operator'];

export const PAGES = [
  { path: '', name: 'home', title: '工作台', roles: ALL, component: () => import('./views/HomeView.vue') },
  { path: 'decisions', name: 'decisions', title: '处分决定', roles: UNIT_READERS, component: () => import('./views/DecisionsView.vue') },
  { path: 'decisions/new', name: 'register', title: '登记处分决定', roles: ['reviewer', 'admin'], component: () => import('./views/RegisterView.vue') },
  { path: 'imports', name: 'imports', title: '批量导入', roles: ['reviewer', 'admin'], component: () => import('./views/ImportView.vue') },
  { path: 'decisions/:id(\\d+)', name: 'decision', title: '处分决定', roles: UNIT_READERS, component: () => import('./views/DecisionView.vue') },
  { path: 'reforms', name: 'reforms', title: '以案促改', roles: UNIT_READERS, component: () => import('./views/ReformsView.vue') },
  { path: 'reforms/new', name: 'register-reform', title: '登记以案促改', roles: ['reviewer'], component: () => import('./views/ReformRegisterView.vue') },
  { path: 'reforms/:id(\\d+)', name: 'reform', title: '以案促改', roles: UNIT_READERS, component: () => import('./views/ReformView.vue') },
  { path: 'people', name: 'people', title: '人员查询', roles: PEOPLE_READERS, component: () => import('./views/PeopleView.vue') },
  { path: 'people/check', name: 'people-check', title: '影响期查询', roles: ['reviewer', 'leader', 'partner'], component: () => import('./views/CheckView.vue') },
  { path: 'people/:id(\\d+)', name: 'person', title: '人员详情', roles: PEOPLE_READERS, component: () => import('./views/PersonView.vue') },
  { path: 'items/:id(\\d+)', name: 'item', title: '执行事项', roles: UNIT_READERS, component: () => import('./views/ItemView.vue') },
  { path: 'queue', name: 'queue', title: '审核队列', roles: ['reviewer', 'leader', 'admin'], component: () => import('./views/QueueView.vue') },
  { path: 'alerts', name: 'alerts', title: '预警与超期', roles: UNIT_READERS, component: () => import('./views/AlertsView.vue') },
  { path: 'notices', name: 'notices', title: '通知', roles: ALL, component: () => import('./views/NoticesView.vue') },
  { path: 'guidance', name: 'guidance', title: '指导意见', roles: ['reviewer', 'operator', 'leader', 'admin'], component: () => import('./views/GuidanceView.vue') },
  { path: 'library', name: 'library', title: '资料袋', roles: ALL, component: () => import('./views/LibraryView.vue') },
  { path: 'library/:regulation([A-Za-z0-9]+)', name: 'regulation', title: '法规全文', roles: ALL, component: () => import('./views/RegulationView.vue') },
  { path: 'library/:regulation([A-Za-z0-9]+)/:article([0-9-]+)', name: 'article', title: '法规条文', roles: ALL, component: () => import('./views/ArticleView.vue') },
  { path: 'templates', name: 'templates', title: '文书模板', roles: ['admin', 'reviewer', 'operator', 'leader'], component: () => import('./views/TemplatesView.vue') },
  { path: 'stats', name: 'stats', title: '统计分析', roles: ['reviewer', 'leader', 'admin'], component: () => import('./views/StatsView.vue') },
  { path: 'audit', name: 'audit', title: '审计记录', roles: ['admin', 'leader'], component: () => import('./views/AuditView.vue') },
  { path: 'admin', name: 'admin', title: '系统管理', roles: ['admin'], component: () => import('./views/AdminView.vue') },
];

export const router = createRouter({
  history: createWebHashHistory(),
  routes: [
    { path: '/login', name: 'login', component: () => import('./views/LoginView.vue'), meta: { title: '用户登录', public: true } },
    {
      path: '/',
      component: AppLayout,
      children: [
        ...PAGES.map((p) => ({ path: p.path, name: p.name, component: p.component, meta: { title: p.title, roles: p.roles } })),
        { path: ':rest(.*)*', name: 'missing', component: () => import('./views/MissingView.vue'), meta: { title: '页面不存在', roles: ALL } },
      ],
    },
  ],
  scrollBehavior: () => ({ top: 0 }),
});

router.beforeEach((to) => {
  if (to.meta.public) {
    return to.name === 'login' && session.token ? { path: '/' } : true;
  }
  if (!session.token) return { name: 'login', query: to.fullPath !== '/' ? { next: to.fullPath } : {} };
  return true;
});

router.afterEach((to) => {
  document.title = `${to.meta.title || ''}${to.meta.title ? ' - ' : ''}处分决定执行记实监督平台`;
});

/** May this role open this page? */
export function allowed(route, role) {
  const roles = route.meta?.roles;
  return !roles || roles.includes(role);
}
