/** The SHA-256 of the parts, each ended by a NUL. */
export function hashOf(...parts: string[]): string;
/** The cached text under `name/key`, or undefined. */
export function read(name: string, key: string): string | undefined;
/** Caches `text` under `name/key`; a failure to write is ignored. */
export function write(name: string, key: string, text: string): void;
