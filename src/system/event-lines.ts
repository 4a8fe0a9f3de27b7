// One event as a line of NDJSON (the export format, /api/v1/events and `mymedic export`).
// data and meta are stored as canonical JSON text and are written through unchanged, so a
// reader can recompute each hash from the line alone.
import type { EventRow } from '../core/events';

export function eventLine(r: EventRow): string {
  return (
    `{"seq":${r.seq},"id":${JSON.stringify(r.id)},"origin":${JSON.stringify(r.origin)},"origin_seq":${r.origin_seq},` +
    `"branch_id":${JSON.stringify(r.branch_id)},"stream":${JSON.stringify(r.stream)},"version":${r.version},` +
    `"type":${JSON.stringify(r.type)},"data":${r.data},"meta":${r.meta},"at":${JSON.stringify(r.at)},` +
    `"prev_hash":${JSON.stringify(r.prev_hash)},"hash":${JSON.stringify(r.hash)}}`
  );
}
