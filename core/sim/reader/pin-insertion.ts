/** PIN insertion moved to core/pcsc/pin-insertion (the software PIN path uses it too). */
export * from '#core/pcsc/pin-insertion.js';
