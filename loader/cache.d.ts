/** The SHA-256 of the parts, each ended by a NUL. */
export function hashOf(...parts: string[]): string;
/** The folder of the cache `name`. */
export function dirOf(name: string): string;
/** The cached text under `name/key`, or undefined. */
export function read(name: string, key: string): string | undefined;
/** The cached bytes under `name/key`, or undefined. */
export function readBytes(name: string, key: string): Buffer | undefined;
/** Caches `data` under `name/key`; a failure to write is ignored. */
export function write(name: string, key: string, data: string | Uint8Array): void;
