// A narrow screen (a phone): forms stack, tables keep fewer columns, the menu is a drawer.
import { onBeforeUnmount, onMounted, ref } from 'vue';

export function useNarrow(limit = 768) {
  const narrow = ref(typeof window !== 'undefined' && window.innerWidth < limit);
  const update = () => { narrow.value = window.innerWidth < limit; };
  onMounted(() => window.addEventListener('resize', update));
  onBeforeUnmount(() => window.removeEventListener('resize', update));
  return narrow;
}
