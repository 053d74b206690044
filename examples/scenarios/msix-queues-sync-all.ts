/**
 * The per-queue MSI-X driver of msix-queues.ts with MsiSyncWithAllMessages: NDIS serializes every
 * message behind one interrupt lock, at one DIRQL. The driver is the same.
 */
import { msixQueues } from './msix-queues.js';

export { scenario } from './msix-queues.js';

export default msixQueues({ syncWithAll: true });
