import { create } from 'zustand';
import { ALL_VIEW } from './logs';

/** The views the left rail can show. */
export type View = 'services' | 'logs' | 'keys' | 'audit' | 'settings';

const VIEW_IDS: readonly View[] = ['services', 'logs', 'keys', 'audit', 'settings'];
const VIEW_STORAGE = 'stigmer.view';

function initialView(): View {
  try {
    const saved = localStorage.getItem(VIEW_STORAGE);
    return VIEW_IDS.find((v) => v === saved) ?? 'services';
  } catch {
    return 'services';
  }
}

interface NavigationState {
  view: View;
  /** The selected Logs tab: a service name or ALL_VIEW. */
  logTab: string;
  go(view: View): void;
  selectLogTab(tab: string): void;
  /** Switches to the Logs view on one service's tab (or "All" when null). */
  showLogs(service: string | null): void;
}

/** Navigation store: the current view (remembered across launches) and the Logs tab. */
export const useNavigation = create<NavigationState>((set) => ({
  view: initialView(),
  logTab: ALL_VIEW,
  go(view) {
    set({ view });
    try {
      localStorage.setItem(VIEW_STORAGE, view);
    } catch {
      // Storage can be unavailable; the view still switches for this session.
    }
  },
  selectLogTab: (logTab) => set({ logTab }),
  showLogs(service) {
    set({ logTab: service ?? ALL_VIEW });
    useNavigation.getState().go('logs');
  },
}));
