// The baseline for bench/http.ts: a bare Elysia app that echoes a JSON POST body, on
// 127.0.0.1 and a free port. Prints {"port":N} once listening. Stop it with SIGTERM.
import { Elysia } from 'elysia';

const app = new Elysia().post('/echo', ({ body }) => body).listen({ hostname: '127.0.0.1', port: 0 });
console.log(JSON.stringify({ port: app.server!.port, pid: process.pid }));
process.once('SIGTERM', () => {
  void app.stop().then(() => process.exit(0));
});
