/**
 * The floor: the least any Worker can do under the same `wrangler dev` + workerd as the app. `GET /` answers
 * "ok"; `GET /d1` also runs one `SELECT 1` on a local D1, the least any route that reads D1 can cost.
 * Benchmark figures are read as ratios to these, so machine noise and dev-server overhead cancel out.
 */
interface FloorEnv {
  DB: D1Database;
}

const ok = () => new Response("ok", { headers: { "content-type": "text/plain; charset=utf-8" } });

export default {
  async fetch(request, env) {
    if (new URL(request.url).pathname === "/d1") await env.DB.prepare("SELECT 1").first();
    return ok();
  },
} satisfies ExportedHandler<FloorEnv>;
