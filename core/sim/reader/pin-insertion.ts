/** PIN insertion moved to core/pcsc/pin-insertion (the software PIN path uses it too). */
export * from '../../pcsc/pin-insertion.js';
