/** Electron IPC channel names shared by main and preload (the contract's channels travel inside). */
export const IPC_INVOKE_CHANNEL = 'cardbench:invoke';
export const IPC_EVENT_CHANNEL = 'cardbench:event';
