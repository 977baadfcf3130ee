// What many pages name things by, asked once per sign-in: the units, the rule book (its
// items' names and the registration form's choices), the regulations' titles.
import { reactive } from 'vue';
import { api, listOf } from './api.js';

const cache = new Map();

function once(key, load) {
  if (!cache.has(key)) {
    const promise = load().catch((err) => { cache.delete(key); throw err; });
    cache.set(key, promise);
  }
  return cache.get(key);
}

export function forget() { cache.clear(); }

/** Every unit by id (any signed-in user may read them). */
export function units() {
  return once('units', async () => new Map(listOf(await api.get('/units')).items.map((u) => [u.id, u])));
}

/** The rule book as GET /rulebook answers it (case's one copy). */
export function rulebook() {
  return once('rulebook', () => api.get('/rulebook'));
}

/** Item names by code, from the rule book. */
export async function itemNames() {
  const book = await rulebook();
  return new Map((book.items || []).map((i) => [i.code, i.name]));
}

/** Regulation titles by id, from the library. */
export function regulations() {
  return once('regulations', async () => new Map(listOf(await api.get('/library/regulations')).items.map((r) => [r.id, r])));
}

/** A reactive lookup that fills in when the units arrive: names.unit(id). */
export function useNames() {
  const state = reactive({ units: new Map(), items: new Map(), regulations: new Map() });
  units().then((m) => { state.units = m; }).catch(() => {});
  itemNames().then((m) => { state.items = m; }).catch(() => {});
  return {
    state,
    unit: (id) => (id === null || id === undefined ? '—' : state.units.get(Number(id))?.name || '—'),
    item: (code) => state.items.get(code) || '—',
    loadRegulations: () => regulations().then((m) => { state.regulations = m; }).catch(() => {}),
    regulation: (id) => state.regulations.get(id)?.title || '',
  };
}
