export { KV_CODES, KvError, isKvError } from "./errors.ts";
export { cursorOf, keyOfObjectName, nameOfCursor, objectName, prefixRange } from "./keys.ts";
export * from "./limits.ts";
export { KvStore, readAll, type KvStoreOptions, type ListedKey, type ListPage, type NamespaceRef, type StoredValue, type WriteOptions } from "./store.ts";
