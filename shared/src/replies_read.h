#pragma once
// What the readers of replies.cpp and replies_relay.cpp share: a parse that turns every
// FieldError into an Error naming the reply. Private to the core.

#include "dmr/replies.h"

#include "json_reader.h"

#include <string>
#include <string_view>

namespace dmr::reply::detail {

using dmr::detail::FieldError;
using dmr::detail::Json;

// Parses text as `what` (the reply's name, "get-state") and reads it with read(json), which
// throws FieldError on the first bad field.
template<typename T, typename F>
Result<T> parseWith(std::string_view text, std::string_view what, F &&read)
{
    auto parsed = dmr::detail::parseJsonText(text, what);
    if (!parsed)
        return parsed.error();
    try {
        dmr::detail::expectAnyObject(*parsed, "");
        return read(*parsed);
    } catch (const FieldError &e) {
        return Error{std::string(what) + ": " + e.message};
    } catch (const Json::exception &e) {
        return Error{std::string(what) + ": " + e.what()};
    }
}

// A list of groups that may be absent (Unknown), null (Null) or a list of strings (Listed).
inline GroupList groupList(const Json &j, const std::string &path, std::string_view key)
{
    GroupList g;
    auto it = j.find(std::string(key));
    if (it == j.end())
        return g;
    if (it->is_null()) {
        g.kind = GroupList::Kind::Null;
        return g;
    }
    g.kind = GroupList::Kind::Listed;
    g.groups = dmr::detail::stringsField(j, path, key);
    return g;
}

} // namespace dmr::reply::detail
