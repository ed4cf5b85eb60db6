#include "dmr/etcd_view.h"

#include "dmr/election.h"

#include "json_reader.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <tuple>

namespace dmr::etcd {

using detail::Json;

// ---- base64 -------------------------------------------------------------------------------

namespace {

constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int sextet(char c)
{
    const auto at = kAlphabet.find(c);
    return at == std::string_view::npos ? -1 : static_cast<int>(at);
}

} // namespace

std::string base64Encode(std::string_view bytes)
{
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    std::size_t i = 0;
    for (; i + 3 <= bytes.size(); i += 3) {
        const auto n = (static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i])) << 16) |
                       (static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i + 1])) << 8) |
                       static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i + 2]));
        out += kAlphabet[(n >> 18) & 63];
        out += kAlphabet[(n >> 12) & 63];
        out += kAlphabet[(n >> 6) & 63];
        out += kAlphabet[n & 63];
    }
    const std::size_t rest = bytes.size() - i;
    if (rest == 1) {
        const auto n = static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i])) << 16;
        out += kAlphabet[(n >> 18) & 63];
        out += kAlphabet[(n >> 12) & 63];
        out += "==";
    } else if (rest == 2) {
        const auto n = (static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i])) << 16) |
                       (static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i + 1])) << 8);
        out += kAlphabet[(n >> 18) & 63];
        out += kAlphabet[(n >> 12) & 63];
        out += kAlphabet[(n >> 6) & 63];
        out += '=';
    }
    return out;
}

Result<std::string> base64Decode(std::string_view text)
{
    if (text.size() % 4 != 0)
        return Error{"base64: length " + std::to_string(text.size()) + " is not a multiple of 4"};
    std::string out;
    out.reserve(text.size() / 4 * 3);
    for (std::size_t i = 0; i < text.size(); i += 4) {
        std::array<int, 4> v{};
        int pad = 0;
        for (std::size_t k = 0; k < 4; ++k) {
            const char c = text[i + k];
            if (c == '=' && i + 4 == text.size() && k >= 2) {
                ++pad;
                v[k] = 0;
                continue;
            }
            if (pad != 0 || (v[k] = sextet(c)) < 0)
                return Error{"base64: bad character at offset " + std::to_string(i + k)};
        }
        const auto n = (static_cast<std::uint32_t>(v[0]) << 18) |
                       (static_cast<std::uint32_t>(v[1]) << 12) |
                       (static_cast<std::uint32_t>(v[2]) << 6) | static_cast<std::uint32_t>(v[3]);
        out += static_cast<char>((n >> 16) & 0xff);
        if (pad < 2)
            out += static_cast<char>((n >> 8) & 0xff);
        if (pad < 1)
            out += static_cast<char>(n & 0xff);
    }
    return out;
}

// ---- Keys ---------------------------------------------------------------------------------

std::string escapeSegment(std::string_view s)
{
    std::string out;
    out.reserve(s.size());
    for (char c : s) {
        if (c == '%')
            out += "%25";
        else if (c == '/')
            out += "%2F";
        else
            out += c;
    }
    return out;
}

Result<std::string> unescapeSegment(std::string_view s)
{
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '%') {
            out += s[i];
            continue;
        }
        const std::string_view code = s.substr(i, 3);
        if (code == "%25")
            out += '%';
        else if (code == "%2F")
            out += '/';
        else
            return Error{"bad escape \"" + std::string(code) + "\" (only %25 and %2F are used)"};
        i += 2;
    }
    if (out.empty())
        return Error{"empty segment"};
    return out;
}

std::string clusterPrefix(std::string_view cluster)
{
    return "dmr/" + escapeSegment(cluster) + "/";
}

std::string prefixEnd(std::string_view prefix)
{
    std::string end(prefix);
    while (!end.empty()) {
        auto &last = reinterpret_cast<unsigned char &>(end.back());
        if (last < 0xff) {
            ++last;
            return end;
        }
        end.pop_back();
    }
    return std::string(1, '\0'); // every key (etcd's convention)
}

std::string nodeKey(std::string_view prefix, const NodeId &node)
{
    return std::string(prefix) + "nodes/" + escapeSegment(node);
}

std::string groupKey(std::string_view prefix, const GroupName &group, const NodeId &node)
{
    return std::string(prefix) + "groups/" + escapeSegment(group) + "/" + escapeSegment(node);
}

std::string glKey(std::string_view prefix, const NodeId &node)
{
    return std::string(prefix) + "gl/" + escapeSegment(node);
}

std::string downKey(std::string_view prefix, const NodeId &node)
{
    return std::string(prefix) + "down/" + escapeSegment(node);
}

Result<ParsedKey> parseKey(std::string_view prefix, std::string_view key)
{
    auto bad = [&](const std::string &why) {
        return Error{"etcd key \"" + std::string(key) + "\": " + why};
    };
    if (key.substr(0, prefix.size()) != prefix)
        return bad("not under the prefix \"" + std::string(prefix) + "\"");
    std::string_view rest = key.substr(prefix.size());
    std::vector<std::string_view> parts;
    for (;;) {
        const auto slash = rest.find('/');
        parts.push_back(rest.substr(0, slash));
        if (slash == std::string_view::npos)
            break;
        rest = rest.substr(slash + 1);
    }
    ParsedKey out;
    auto segment = [&](std::string_view s, std::string &into) -> std::optional<Error> {
        auto u = unescapeSegment(s);
        if (!u)
            return bad(u.error().message);
        into = *u;
        return std::nullopt;
    };
    if (parts.size() == 2 && parts[0] == "nodes") {
        out.kind = ParsedKey::Kind::Node;
        if (auto e = segment(parts[1], out.node))
            return *e;
    } else if (parts.size() == 2 && parts[0] == "gl") {
        out.kind = ParsedKey::Kind::Gl;
        if (auto e = segment(parts[1], out.node))
            return *e;
    } else if (parts.size() == 2 && parts[0] == "down") {
        out.kind = ParsedKey::Kind::Down;
        if (auto e = segment(parts[1], out.node))
            return *e;
    } else if (parts.size() == 3 && parts[0] == "groups") {
        out.kind = ParsedKey::Kind::Group;
        if (auto e = segment(parts[1], out.group))
            return *e;
        if (auto e = segment(parts[2], out.node))
            return *e;
    } else {
        return bad("expected nodes/<node>, groups/<group>/<node>, gl/<node> or down/<node>");
    }
    return out;
}

// ---- The node record ----------------------------------------------------------------------

std::string encodeNodeRecord(const NodeRecord &r)
{
    Json j = {{"addr", r.address}, {"inc", r.incarnation}, {"meta", r.meta}};
    if (r.leaving)
        j["leaving"] = true;
    return j.dump();
}

Result<NodeRecord> decodeNodeRecord(std::string_view text)
{
    const Json j = Json::parse(text, nullptr, false);
    if (!j.is_object())
        return Error{"node record: not a JSON object"};
    NodeRecord r;
    if (!j.contains("addr") || !j["addr"].is_string())
        return Error{"node record: addr: missing or not a string"};
    r.address = j["addr"].get<std::string>();
    if (!j.contains("inc") || !j["inc"].is_number_unsigned())
        return Error{"node record: inc: missing or not an unsigned integer"};
    r.incarnation = j["inc"].get<std::uint64_t>();
    if (!j.contains("meta") || !j["meta"].is_string())
        return Error{"node record: meta: missing or not a string"};
    r.meta = j["meta"].get<std::string>();
    if (r.meta.size() > gms::kMaxMetaBytes)
        return Error{"node record: meta: " + std::to_string(r.meta.size()) + " bytes, at most " +
                     std::to_string(gms::kMaxMetaBytes)};
    if (j.contains("leaving")) {
        if (!j["leaving"].is_boolean())
            return Error{"node record: leaving: not a boolean"};
        r.leaving = j["leaving"].get<bool>();
    }
    return r;
}

std::string encodeDownNote(const DownNote &n)
{
    return Json{{"lease", std::to_string(n.lease)}, {"by", n.by}, {"at_ms", n.atMs}}.dump();
}

Result<DownNote> decodeDownNote(std::string_view text)
{
    const Json j = Json::parse(text, nullptr, false);
    if (!j.is_object())
        return Error{"down note: not a JSON object"};
    DownNote n;
    n.lease = int64Field(j, "lease");
    if (n.lease == 0)
        return Error{"down note: lease: missing or not a non-zero integer string"};
    if (!j.contains("by") || !j["by"].is_string() || j["by"].get<std::string>().empty())
        return Error{"down note: by: missing or not a node id"};
    n.by = j["by"].get<std::string>();
    if (!j.contains("at_ms") || !j["at_ms"].is_number_integer())
        return Error{"down note: at_ms: missing or not an integer"};
    n.atMs = j["at_ms"].get<std::int64_t>();
    return n;
}

// ---- The key space ------------------------------------------------------------------------

void KeySpace::reset(std::vector<Kv> kvs, std::int64_t revision)
{
    kvs_.clear();
    decoded_.clear();
    rejected_ = 0;
    for (auto &kv : kvs) {
        noteLease(kv);
        decode(kv);
        std::string key = kv.key;
        kvs_[key] = std::move(kv);
    }
    revision_ = revision;
}

void KeySpace::decode(const Kv &kv)
{
    Decoded d;
    if (auto parsed = parseKey(prefix_, kv.key)) {
        if (parsed->kind == ParsedKey::Kind::Node)
            if (auto record = decodeNodeRecord(kv.value))
                d.record = std::move(record).value();
        d.key = std::move(parsed).value();
    }
    decoded_[kv.key] = std::move(d);
}

void KeySpace::noteLease(const Kv &kv)
{
    auto parsed = parseKey(prefix_, kv.key);
    if (parsed && parsed->kind == ParsedKey::Kind::Node && kv.lease != 0)
        lastLease_[parsed->node] = kv.lease;
}

std::int64_t KeySpace::lastLease(const NodeId &node) const
{
    const auto it = lastLease_.find(node);
    return it == lastLease_.end() ? 0 : it->second;
}

std::map<NodeId, DownNote> KeySpace::downNotes() const
{
    std::map<NodeId, DownNote> out;
    const std::string from = prefix_ + "down/";
    for (auto it = kvs_.lower_bound(from);
         it != kvs_.end() && it->first.compare(0, from.size(), from) == 0; ++it) {
        auto parsed = parseKey(prefix_, it->first);
        auto note = decodeDownNote(it->second.value);
        if (parsed && parsed->kind == ParsedKey::Kind::Down && note &&
            note->lease == lastLease(parsed->node))
            out[parsed->node] = *note;
    }
    return out;
}

void KeySpace::put(Kv kv, std::int64_t revision)
{
    noteLease(kv);
    decode(kv);
    std::string key = kv.key;
    kvs_[key] = std::move(kv);
    revision_ = std::max(revision_, revision);
}

void KeySpace::erase(const std::string &key, std::int64_t revision)
{
    kvs_.erase(key);
    decoded_.erase(key);
    revision_ = std::max(revision_, revision);
}

gms::ClusterView KeySpace::view()
{
    rejected_ = 0;
    leaving_.clear();
    // (create revision, node) orders every list; ties cannot happen within one list (one key
    // per node), but the node id breaks them anyway.
    using Entry = std::pair<std::int64_t, NodeId>;
    std::vector<std::tuple<std::int64_t, NodeId, NodeRecord>> nodes;
    std::map<GroupName, std::vector<Entry>> groups;
    std::vector<Entry> gl;
    for (const auto &[key, kv] : kvs_) {
        const Decoded &d = decoded_.at(key); // put, reset and erase keep the two alike
        const auto &parsed = d.key;
        if (!parsed) {
            ++rejected_;
            continue;
        }
        switch (parsed->kind) {
        case ParsedKey::Kind::Node: {
            const auto &record = d.record;
            if (!record) {
                ++rejected_;
                continue;
            }
            if (record->leaving) {
                leaving_.insert(parsed->node);
                continue;
            }
            nodes.emplace_back(kv.createRevision, parsed->node, *record);
            break;
        }
        case ParsedKey::Kind::Group:
            groups[parsed->group].emplace_back(kv.createRevision, parsed->node);
            break;
        case ParsedKey::Kind::Gl:
            gl.emplace_back(kv.createRevision, parsed->node);
            break;
        case ParsedKey::Kind::Down:
            break; // read by downNotes()
        }
    }
    std::sort(nodes.begin(), nodes.end(), [](const auto &a, const auto &b) {
        return std::tie(std::get<0>(a), std::get<1>(a)) < std::tie(std::get<0>(b), std::get<1>(b));
    });
    gms::ClusterView v;
    v.id = gms::ViewId{1, static_cast<std::uint64_t>(revision_)};
    v.nextSeq = static_cast<std::uint64_t>(revision_) + 1;
    std::set<NodeId> present;
    for (auto &[rev, id, record] : nodes) {
        present.insert(id);
        v.nodes.push_back(gms::NodeInfo{id, static_cast<std::uint64_t>(rev), record.address,
                                        record.incarnation, record.meta});
    }
    auto members = [&](std::vector<Entry> entries) {
        std::sort(entries.begin(), entries.end());
        std::vector<Member> out;
        for (auto &[rev, node] : entries)
            if (present.count(node) != 0)
                out.push_back(Member{node, static_cast<std::uint64_t>(rev)});
        return out;
    };
    for (auto &[group, entries] : groups) {
        auto list = members(std::move(entries));
        if (!list.empty())
            v.groups.networks[group] = View{group, std::move(list)};
    }
    v.groups.glGroup.members = members(std::move(gl));
    return v;
}

std::vector<gms::Departure> departures(const gms::ClusterView &before,
                                       const gms::ClusterView &after,
                                       const std::set<NodeId> &leaving, std::int64_t decidedAtMs,
                                       std::int64_t ttlMs,
                                       const std::map<NodeId, DownNote> &downNotes)
{
    std::vector<gms::Departure> out;
    for (const auto &n : before.nodes) {
        if (after.node(n.id) != nullptr)
            continue;
        if (leaving.count(n.id) != 0)
            out.push_back(gms::Departure{n.id, "left", 0, decidedAtMs});
        else if (const auto note = downNotes.find(n.id); note != downNotes.end())
            out.push_back(gms::Departure{n.id, "connection-lost", 0,
                                         std::min(note->second.atMs, decidedAtMs)});
        else
            out.push_back(gms::Departure{n.id, "lease-expired", ttlMs, decidedAtMs});
    }
    return out;
}

bool wantGlKey(const gms::ClusterView &view, const NodeId &self)
{
    const Election e = elect(view.groups);
    if (!e.leads(self))
        return false;
    if (view.groups.glGroup.contains(self))
        return true;
    for (const NodeId &n : e.glOrder) {
        if (n == self)
            return true;
        if (!view.groups.glGroup.contains(n))
            return false; // a pending leader before this one has not written its key yet
    }
    return true;
}

// ---- The JSON gateway's replies -------------------------------------------------------------

namespace {

const detail::Json *member(const detail::Json &object, std::string_view key)
{
    if (!object.is_object())
        return nullptr;
    auto it = object.find(std::string(key));
    return it == object.end() ? nullptr : &*it;
}

std::string base64Field(const detail::Json &object, std::string_view key)
{
    const auto *v = member(object, key);
    if (v == nullptr || !v->is_string())
        return {};
    auto d = base64Decode(v->get_ref<const std::string &>());
    return d ? *d : std::string();
}

} // namespace

std::int64_t int64Field(const detail::Json &object, std::string_view key)
{
    const auto *v = member(object, key);
    if (v == nullptr)
        return 0;
    if (v->is_number_integer())
        return v->get<std::int64_t>();
    if (!v->is_string())
        return 0;
    const auto &s = v->get_ref<const std::string &>();
    std::int64_t out = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc{} && end == s.data() + s.size() ? out : 0;
}

bool boolField(const detail::Json &object, std::string_view key)
{
    const auto *v = member(object, key);
    return v != nullptr && v->is_boolean() && v->get<bool>();
}

const detail::Json &objectField(const detail::Json &object, std::string_view key)
{
    static const detail::Json kEmpty = detail::Json::object();
    const auto *v = member(object, key);
    return v != nullptr && v->is_object() ? *v : kEmpty;
}

Kv decodeKv(const detail::Json &kv)
{
    return Kv{base64Field(kv, "key"), base64Field(kv, "value"), int64Field(kv, "create_revision"),
              int64Field(kv, "mod_revision"), int64Field(kv, "lease")};
}

std::vector<Kv> decodeRangeKvs(const detail::Json &reply)
{
    std::vector<Kv> out;
    const auto *kvs = member(reply, "kvs");
    if (kvs == nullptr || !kvs->is_array())
        return out;
    for (const auto &j : *kvs) {
        Kv kv = decodeKv(j);
        if (!kv.key.empty())
            out.push_back(std::move(kv));
    }
    return out;
}

std::int64_t headerRevision(const detail::Json &reply)
{
    return int64Field(objectField(reply, "header"), "revision");
}

WatchResult decodeWatchMessage(const detail::Json &message)
{
    const detail::Json &result = objectField(message, "result");
    WatchResult w;
    w.canceled = boolField(result, "canceled");
    w.revision = headerRevision(result);
    const auto *events = member(result, "events");
    if (events == nullptr || !events->is_array())
        return w;
    for (const auto &e : *events) {
        WatchEvent ev;
        const auto *type = member(e, "type");
        ev.erased = type != nullptr && type->is_string() && *type == "DELETE";
        ev.kv = decodeKv(objectField(e, "kv"));
        if (!ev.kv.key.empty())
            w.events.push_back(std::move(ev));
    }
    return w;
}

void apply(KeySpace &keys, const WatchResult &result)
{
    for (const auto &e : result.events) {
        if (e.erased)
            keys.erase(e.kv.key, e.kv.modRevision);
        else
            keys.put(e.kv, e.kv.modRevision);
    }
    keys.advance(result.revision);
}

} // namespace dmr::etcd
