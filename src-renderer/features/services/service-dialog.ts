import { create } from 'zustand';
import { useServices } from '../../stores/services';
import { dependentsStoppedBy, stoppedWith } from './dependents';

/** Which confirmation is open: before a Stop that stops others, or a Start that can bring them back. */
export type ServiceDialog = { kind: 'stop' | 'start'; name: string } | null;

interface ServiceDialogState {
  dialog: ServiceDialog;
  close(): void;
}

/** The open dependents confirmation of the Services view (one at a time). */
export const useServiceDialog = create<ServiceDialogState>((set) => ({
  dialog: null,
  close: () => set({ dialog: null }),
}));

const services = () => useServices.getState().snapshot?.services ?? [];

/** Stop, asking first when it would stop services that need it (they are named). */
export function requestStop(name: string): void {
  if (dependentsStoppedBy(services(), name).length > 0) {
    useServiceDialog.setState({ dialog: { kind: 'stop', name } });
  } else {
    void useServices.getState().stop(name);
  }
}

/** Start, offering to bring back the services its last Stop stopped with it. */
export function requestStart(name: string): void {
  if (stoppedWith(services(), name).length > 0) {
    useServiceDialog.setState({ dialog: { kind: 'start', name } });
  } else {
    void useServices.getState().start(name);
  }
}
