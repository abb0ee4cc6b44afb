// A hash router small enough to read: #/setups, #/queue, #/runs, #/compare?runs=1,2,3&metric=kl&x=wall&log=0,
// #/flow?runs=1,2&cx=0&cy=1, #/run?id=7 (one run's details).
// The hash works under file:// (Electron) and http:// (browser mode) alike, and makes views deep-linkable.
import { computed, readonly, ref } from 'vue';

export const VIEWS = ['setups', 'queue', 'runs', 'compare', 'flow', 'run'] as const;
export type ViewName = (typeof VIEWS)[number];

interface Route {
  view: ViewName;
  query: Record<string, string>;
}

function parse(hash: string): Route {
  const [pathPart, queryPart = ''] = hash.replace(/^#\/?/, '').split('?');
  const view = (VIEWS as readonly string[]).includes(pathPart) ? (pathPart as ViewName) : 'setups';
  return { view, query: Object.fromEntries(new URLSearchParams(queryPart)) };
}

const current = ref<Route>(parse(window.location.hash));
window.addEventListener('hashchange', () => {
  current.value = parse(window.location.hash);
});

export function routeHash(view: ViewName, query: Record<string, string | undefined> = {}): string {
  const q = new URLSearchParams(Object.entries(query).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== ''));
  const qs = q.toString().replace(/%2C/g, ',');
  return `#/${view}${qs ? `?${qs}` : ''}`;
}

export function useRoute() {
  const route = readonly(current);
  const view = computed(() => current.value.view);
  const query = computed(() => current.value.query);
  /** Navigates (adds a history entry). */
  const go = (v: ViewName, q: Record<string, string | undefined> = {}) => {
    window.location.hash = routeHash(v, q);
  };
  /** Updates the query of the current view without a history entry (e.g. the Compare selection). */
  const replaceQuery = (q: Record<string, string | undefined>) => {
    const hash = routeHash(current.value.view, q);
    if (hash === window.location.hash) return;
    window.history.replaceState(window.history.state, '', hash);
    current.value = parse(hash);
  };
  return { route, view, query, go, replaceQuery };
}
