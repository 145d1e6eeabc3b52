export * from './bytes.ts';
export * from './close-codes.ts';
export * from './codec.ts';
export * from './constants.ts';
export * from './crypto.ts';
export * from './messages.ts';
