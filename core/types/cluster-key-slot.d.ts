declare module 'cluster-key-slot' {
  /** The Redis Cluster slot (0 to 16383) of a key, from its hash tag when it has one. */
  export default function calculateSlot(key: string | Buffer): number;
}
