// What the owner needs to know about backups at a glance (the system status page, /metrics):
// the replica, how far behind it is, the last snapshot and the last restore drill.
// (Filled in by the backup work; until then it reports that nothing is configured.)

export interface BackupSummary {
  /** Where Litestream replicates to, e.g. { kind: 'file', url: '/mnt/nas/mymedic' }, or null. */
  replica: { kind: 'file' | 'sftp' | 's3'; url: string } | null;
  /** Replica position (Litestream generation/index) and when it was last written. */
  position: string | null;
  lastReplicatedAt: string | null;
  /** Seconds the replica is behind the live database, when known. */
  lagSeconds: number | null;
  /** The newest local snapshot file (`mymedic backup now`). */
  lastSnapshot: { file: string; at: string; bytes: number } | null;
  /** The last restore drill (`mymedic backup drill`). */
  lastDrill: { at: string; ok: boolean; message: string } | null;
}

export function backupSummary(_dataDir: string): BackupSummary {
  return { replica: null, position: null, lastReplicatedAt: null, lagSeconds: null, lastSnapshot: null, lastDrill: null };
}
