// Live updates served by the FastCGI workers, for hosts where the nginx module cannot
// load (Apache, lighttpd, shared hosting). Both routes read the board's replay stream
// through src/live_poll.cpp, with the same ids the module's SSE stream carries:
//   GET /boards/:id/live/poll?lastEventId=&wait=   JSON long-poll, on every server (the
//       module's location is /live exactly, so nginx sends this path to the workers);
//   GET /boards/:id/live                           the same poll as a short SSE response
//       (only reached where the module is not in front): EventSource clients work
//       unchanged and reconnect with Last-Event-ID after each answer.
// Both carry `X-MSKanban-Live: poll`, so a client can tell it is polling. Membership is
// checked before waiting and the wait never holds a database transaction.
#include "authz.hpp"
#include "input.hpp"
#include "live_poll.hpp"

namespace msk {

namespace {

// How long EventSource waits before it asks again after a short SSE answer.
constexpr int kSseRetryMs = 500;

// The membership check and the poll both routes share: ?wait=<seconds> (default and
// maximum: live_poll_wait_ms), cursor from `lastEventId` (or Last-Event-ID for SSE).
Result<LivePoll> poll(Ctx &ctx, const std::optional<std::string> &cursor) {
    const std::string &board = ctx.req.param("id");
    auto id_ok = check_path_id(board);
    if (!id_ok) return id_ok.error();
    LivePollOptions opt;
    opt.after = cursor;
    opt.wait_ms = ctx.svc.cfg.live_poll_wait_ms;
    if (auto w = ctx.req.query_param("wait")) {
        bool digits = !w->empty() && w->size() <= 2;
        for (char c : *w) digits = digits && c >= '0' && c <= '9';
        if (!digits) return bad_request("\"wait\" must be a number of seconds from 0 to 99");
        opt.wait_ms = std::min<int64_t>(opt.wait_ms, std::stoi(*w) * 1000LL);
    }
    opt.slice_ms = std::max(10, ctx.svc.cfg.redis_timeout_ms * 3 / 4);
    auto a = authorize_room(ctx.tx(), ctx.auth->user_id, "board:" + board);
    if (!a) return not_found("no such board");
    ctx.tx().commit();  // end the request's transaction before waiting (src/db.hpp, Tx)
    return poll_board_ticks(ctx.svc.redis, board, opt);
}

Result<Response> get_poll(Ctx &ctx) {
    auto p = poll(ctx, ctx.req.query_param("lastEventId"));
    if (!p) return p.error();
    json_t *events = json_array();
    for (const auto &t : p->ticks) {
        auto data = parse_object(t.data);
        json_array_append_new(events, json_pack("{s:o, s:o, s:o}", "id", jstr(t.id), "event", jstr(t.verb), "data",
                                                data ? json_incref(data->get()) : json_object()));
    }
    Response r = json_response(200, json_pack("{s:o, s:o, s:b}", "events", events, "lastEventId", jstr(p->cursor),
                                              "resync", p->resync));
    r.headers.push_back({"X-MSKanban-Live", "poll"});
    return r;
}

Result<Response> get_sse(Ctx &ctx) {
    std::optional<std::string> cursor = ctx.req.query_param("lastEventId");
    std::string header = ctx.req.header("last-event-id");
    if (!header.empty()) cursor = header;
    auto p = poll(ctx, cursor);
    if (!p) return p.error();
    Response r;
    r.headers = {{"Content-Type", "text/event-stream"}, {"X-MSKanban-Live", "poll"}};
    r.body = "retry: " + std::to_string(kSseRetryMs) + "\n\n";
    // RESYNC has no id, as from the module; the id-only block after it moves the
    // client's Last-Event-ID to the stream's end without firing an event.
    if (p->resync) r.body += "event: RESYNC\ndata: {\"reason\":\"history\"}\n\n";
    for (const auto &t : p->ticks) r.body += "id: " + t.id + "\nevent: " + t.verb + "\ndata: " + t.data + "\n\n";
    if (p->ticks.empty() && (!cursor || *cursor != p->cursor)) r.body += "id: " + p->cursor + "\n\n";
    return r;
}

}  // namespace

std::vector<Route> live_poll_routes() {
    return {
        {"GET", "/boards/:id/live/poll", get_poll, Access::session, "read"},
        {"GET", "/boards/:id/live", get_sse, Access::session, "read"},
    };
}

}  // namespace msk
