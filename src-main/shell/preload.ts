import { contextBridge, ipcRenderer } from 'electron';
import { buildApi } from '../../src-shared/ipc/api';
import { createIpcTransport } from './ipc-transport';

// The preload is a bridge, not logic (style.md #2): `window.stigmer` is built from the contract,
// so it exposes exactly the contract's channels. ipcRenderer itself and the IPC event object
// never reach the page. Bundled into one CJS file; a sandboxed preload may require only electron.
contextBridge.exposeInMainWorld('stigmer', buildApi(createIpcTransport(ipcRenderer)));
