import { CardbenchError } from '../../core/ipc/errors.js';
import { loadPcscLite } from '../backend/pcsc/pcsc-probe.js';
import { PcscService } from '../backend/pcsc/pcsc-service.js';
import { CliError, EXIT } from './exit-codes.js';

/**
 * A PC/SC service for one CLI command: started, settled (every reader has reported its card),
 * handed to the command, always disposed. No PC/SC is exit 3 with the reason.
 */
export async function withPcsc<T>(work: (service: PcscService) => Promise<T>): Promise<T> {
  const binding = loadPcscLite();
  if (!binding.ok) throw new CliError(binding.status.reason ?? 'PC/SC is not available.', EXIT.unavailable);
  const service = new PcscService(binding.factory);
  try {
    const snapshot = await service.monitor.settled();
    if (!snapshot.service.running) throw new CliError(snapshot.service.reason, EXIT.unavailable);
    return await work(service);
  } catch (error) {
    if (error instanceof CardbenchError) {
      throw new CliError(error.message, error.code === 'unavailable' ? EXIT.unavailable : EXIT.failure);
    }
    throw error;
  } finally {
    await service.dispose();
  }
}
