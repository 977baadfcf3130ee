// The menu's counts: unread notices, reports waiting for review, items warned or overdue.
import { reactive } from 'vue';
import { api } from './api.js';

export const counts = reactive({ unread: 0, queue: 0, alerts: 0 });

export async function refreshCounts(role) {
  const jobs = [];
  if (['partner', 'operator', 'reviewer', 'leader'].includes(role)) {
    jobs.push(api.get('/notices', { per_page: 1 }).then((b) => { counts.unread = b?.unread ?? 0; }));
  }
  if (role === 'reviewer') {
    jobs.push(api.get('/review/queue', { per_page: 1 }).then((b) => { counts.queue = b?.total ?? 0; }));
  }
  if (['admin', 'reviewer', 'operator', 'leader'].includes(role)) {
    jobs.push(api.get('/alerts').then((b) => {
      counts.alerts = (b?.items || []).filter((a) => a.level === 'overdue' || a.level === 'warning').length;
    }));
  }
  await Promise.allSettled(jobs);
}
