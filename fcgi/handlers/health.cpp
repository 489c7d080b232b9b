// GET /health: is each dependency reachable from this worker? 503 names what is down.
#include "../routes.hpp"

namespace msk {

static Result<Response> get_health(Ctx &ctx) {
    bool db_up = false;
    try {
        pqxx::nontransaction tx(ctx.svc.db.conn());  // one round trip, no BEGIN/COMMIT
        tx.exec("SELECT 1");
        db_up = true;
    } catch (const std::exception &) {
        ctx.svc.db.reset();
    }
    auto pong = ctx.svc.redis.command({"PING"});
    bool redis_up = pong != nullptr;
    bool ok = db_up && redis_up;
    return json_response(ok ? 200 : 503, json_pack("{s:b, s:s, s:s}", "ok", ok, "db", db_up ? "up" : "down",
                                                   "redis", redis_up ? "up" : "down"));
}

std::vector<Route> health_routes() {
    return {
        {"GET", "/health", get_health, Access::anonymous, nullptr},
    };
}

}  // namespace msk
