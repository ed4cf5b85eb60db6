// Runs every timeline in testdata/listeners as one row: the listener table (dmr/listeners.h) fed
// events at given times, with checks in between. The language, one command a line ('#' starts a
// comment):
//
//   config robustness=2 query_interval_ms=125000 ...   before anything else (keys below)
//   at T [COMMAND]              time passes to T ms (the table ticks every ms), then COMMAND
//   networks NET=OWN ... | none setNetworks: this node's networks and its address on each
//   querying NET on|off         setQuerying
//   report NET G [from ADDR [port P]]    a host reports (no "from": IGMPv2/MLDv1, names nobody)
//   leave NET G [from ADDR [port P]]     a host leaves
//   query NET from ADDR [group G]        heardQuery: another node's general or group query
//   expect wanted NET G ... | none       the wanted set, exactly
//   expect query NET general|group G [max MS]   the oldest query not yet expected was sent now
//   expect no-query             every query sent so far was expected
//   expect querier NET ADDR|none
//   expect refused NET N
//   expect group NET G expires=T reporters=N tracked=yes|no
//
// Checked on every event without being asked: Effects.changed is true exactly when some
// network's wanted set changed; and at the end of the file no query was sent unexpected.

#include "dmr/listeners.h"

#include <QDir>
#include <QFile>
#include <QtTest>

#include <deque>
#include <sstream>

namespace {

using dmr::IpAddress;
namespace listen = dmr::listen;

struct Outcome
{
    int checks = 0;
    std::vector<std::string> failures; // "file:line: what"
    std::optional<std::string> error;  // the file itself is wrong: the run stopped there
};

class Runner
{
public:
    explicit Runner(std::string name)
        : name_(std::move(name))
    {
    }

    Outcome run(const std::string &text)
    {
        std::istringstream in(text);
        std::string raw;
        while (std::getline(in, raw)) {
            ++line_;
            if (auto hash = raw.find('#'); hash != std::string::npos)
                raw.erase(hash);
            std::istringstream words(raw);
            std::vector<std::string> w;
            for (std::string t; words >> t;)
                w.push_back(t);
            if (w.empty())
                continue;
            if (!command(w)) {
                out_.error = where() + error_;
                return out_;
            }
        }
        if (!sent_.empty())
            fail(std::to_string(sent_.size()) +
                 " queries sent and never expected, the first: " + describe(sent_.front()));
        return out_;
    }

private:
    struct Sent
    {
        std::int64_t atMs;
        listen::Query query;
    };

    std::string where() const { return name_ + ":" + std::to_string(line_) + ": "; }
    bool bad(std::string why)
    {
        error_ = std::move(why);
        return false;
    }
    void fail(const std::string &what) { out_.failures.push_back(where() + what); }
    void check(const std::string &expected, const std::string &actual)
    {
        ++out_.checks;
        if (expected != actual)
            fail("expected \"" + expected + "\", got \"" + actual + "\"");
    }

    static std::string describe(const Sent &s)
    {
        std::string t = "at " + std::to_string(s.atMs) + " query " + s.query.network + " ";
        t += s.query.group ? "group " + s.query.group->toString() : std::string("general");
        return t + " max " + std::to_string(s.query.maxResponseMs);
    }

    std::map<dmr::GroupName, std::set<IpAddress>> wantedAll() const
    {
        std::map<dmr::GroupName, std::set<IpAddress>> all;
        for (const auto &[name, n] : table_->networks())
            if (auto w = table_->wanted(name); !w.empty())
                all.emplace(name, std::move(w));
        return all;
    }

    template<typename F>
    void apply(F &&call)
    {
        const auto before = wantedAll();
        listen::Effects fx = call();
        const bool differs = before != wantedAll();
        if (differs && !fx.changed)
            fail("at " + std::to_string(now_) + ": a wanted set changed, Effects.changed is false");
        if (!differs && fx.changed)
            fail("at " + std::to_string(now_) + ": Effects.changed, but no wanted set changed");
        for (auto &q : fx.queries)
            sent_.push_back({now_, std::move(q)});
    }

    bool address(const std::string &text, IpAddress &out)
    {
        auto a = IpAddress::parse(text);
        if (!a)
            return bad(a.error().message);
        out = *a;
        return true;
    }
    bool number(const std::string &text, std::int64_t &out)
    {
        try {
            std::size_t used = 0;
            out = std::stoll(text, &used);
            if (used == text.size() && out >= 0)
                return true;
        } catch (const std::exception &) {
        }
        return bad("\"" + text + "\" is not a number of 0 or more");
    }
    // "from ADDR [port P]" from word i on; nothing there: no reporter.
    bool reporter(const std::vector<std::string> &w, std::size_t i,
                  std::optional<listen::Reporter> &out)
    {
        if (i == w.size())
            return true;
        if (w[i] != "from" || i + 1 >= w.size())
            return bad("expected \"from ADDR [port P]\"");
        listen::Reporter r;
        if (!address(w[i + 1], r.address))
            return false;
        if (i + 2 < w.size()) {
            std::int64_t port = 0;
            if (w[i + 2] != "port" || i + 4 != w.size() || !number(w[i + 3], port) || port > 65535)
                return bad("expected \"port P\" after the address");
            r.port = static_cast<std::uint16_t>(port);
        }
        out = r;
        return true;
    }

    bool table()
    {
        if (!table_)
            table_.emplace(config_);
        return true;
    }

    bool command(std::vector<std::string> w)
    {
        if (w[0] == "config")
            return configure(w);
        table();
        if (w[0] == "at") {
            std::int64_t t = 0;
            if (w.size() < 2 || !number(w[1], t))
                return bad("expected \"at T [COMMAND]\"");
            if (t < now_)
                return bad("time goes back: at " + w[1] + " after " + std::to_string(now_));
            // Example: at 260000
            while (now_ < t) {
                ++now_;
                apply([&] { return table_->tick(now_); });
            }
            w.erase(w.begin(), w.begin() + 2);
            if (w.empty())
                return true;
        }
        const std::string &c = w[0];
        const std::size_t n = w.size();
        if (c == "networks") {
            // Example: networks 10.0.1.0/24=10.0.1.2 fd00:1::/64=fd00:1::2
            std::vector<std::pair<dmr::GroupName, IpAddress>> nets;
            if (!(n == 2 && w[1] == "none")) {
                for (std::size_t i = 1; i < n; ++i) {
                    const auto eq = w[i].find('=');
                    IpAddress own;
                    if (eq == std::string::npos)
                        return bad("expected NET=OWN, got \"" + w[i] + "\"");
                    if (!address(w[i].substr(eq + 1), own))
                        return false;
                    nets.emplace_back(w[i].substr(0, eq), own);
                }
            }
            apply([&] { return table_->setNetworks(nets, now_); });
            return true;
        }
        if (c == "querying") {
            // Example: querying 10.0.1.0/24 on
            if (n != 3 || (w[2] != "on" && w[2] != "off"))
                return bad("expected \"querying NET on|off\"");
            apply([&] { return table_->setQuerying(w[1], w[2] == "on", now_); });
            return true;
        }
        if (c == "report" || c == "leave") {
            // Example: report 10.0.1.0/24 239.1.0.5 from 10.0.1.7
            IpAddress group;
            std::optional<listen::Reporter> r;
            if (n < 3)
                return bad("expected \"" + c + " NET G [from ADDR [port P]]\"");
            if (!address(w[2], group) || !reporter(w, 3, r))
                return false;
            if (c == "report")
                apply([&] { return table_->report(w[1], group, r, now_); });
            else
                apply([&] { return table_->leave(w[1], group, r, now_); });
            return true;
        }
        if (c == "query") {
            // Example: query 10.0.1.0/24 from 10.0.1.1 group 239.1.0.5
            IpAddress from;
            std::optional<IpAddress> group;
            if ((n != 4 && n != 6) || w[2] != "from" || (n == 6 && w[4] != "group"))
                return bad("expected \"query NET from ADDR [group G]\"");
            if (!address(w[3], from))
                return false;
            if (n == 6) {
                IpAddress g;
                if (!address(w[5], g))
                    return false;
                group = g;
            }
            apply([&] { return table_->heardQuery(w[1], from, group, now_); });
            return true;
        }
        if (c == "expect")
            return expect(w);
        return bad("unknown command \"" + c + "\"");
    }

    bool configure(const std::vector<std::string> &w)
    {
        // Example: config robustness=2 query_interval_ms=125000 reporters_max=2
        if (table_)
            return bad("\"config\" must come before the first event");
        for (std::size_t i = 1; i < w.size(); ++i) {
            const auto eq = w[i].find('=');
            std::int64_t v = 0;
            if (eq == std::string::npos || !number(w[i].substr(eq + 1), v))
                return bad("expected KEY=NUMBER, got \"" + w[i] + "\"");
            const std::string key = w[i].substr(0, eq);
            if (key == "robustness")
                config_.robustness = static_cast<int>(v);
            else if (key == "query_interval_ms")
                config_.queryIntervalMs = v;
            else if (key == "query_response_ms")
                config_.queryResponseMs = v;
            else if (key == "last_member_query_ms")
                config_.lastMemberQueryIntervalMs = v;
            else if (key == "last_member_count")
                config_.lastMemberQueryCount = static_cast<int>(v);
            else if (key == "groups_max")
                config_.groupsPerNetworkMax = static_cast<std::size_t>(v);
            else if (key == "reporters_max")
                config_.reportersPerGroupMax = static_cast<std::size_t>(v);
            else
                return bad("unknown config key \"" + key + "\"");
        }
        return true;
    }

    const listen::NetworkState *network(const std::string &name)
    {
        auto it = table_->networks().find(name);
        if (it == table_->networks().end()) {
            bad("no network \"" + name + "\"");
            return nullptr;
        }
        return &it->second;
    }

    bool expect(const std::vector<std::string> &w)
    {
        const std::size_t n = w.size();
        const std::string what = n > 1 ? w[1] : "";
        auto rest = [&](std::size_t from) {
            std::string t;
            for (std::size_t i = from; i < n; ++i)
                t += (t.empty() ? "" : " ") + w[i];
            return t;
        };
        if (what == "wanted" && n >= 4) {
            // Example: expect wanted 10.0.1.0/24 239.1.0.5 239.1.0.6
            std::string actual;
            for (const auto &g : table_->wanted(w[2]))
                actual += (actual.empty() ? "" : " ") + g.toString();
            check(rest(3), actual.empty() ? "none" : actual);
            return true;
        }
        if (what == "query" && n >= 4) {
            // Example: expect query 10.0.1.0/24 group 239.1.0.5 max 1000
            const bool hasMax = n >= 6 && w[n - 2] == "max";
            const std::size_t end = hasMax ? n - 2 : n;
            if (!((end == 4 && w[3] == "general") || (end == 5 && w[3] == "group")))
                return bad("expected \"expect query NET general|group G [max MS]\"");
            std::string expected = "at " + std::to_string(now_) + " query " + rest(2);
            if (sent_.empty()) {
                check(expected, "no query");
                return true;
            }
            const Sent s = sent_.front();
            sent_.pop_front();
            std::string actual = describe(s);
            if (!hasMax)
                actual.erase(actual.rfind(" max "));
            check(expected, actual);
            return true;
        }
        if (what == "no-query" && n == 2) {
            // Example: expect no-query
            check("no query", sent_.empty() ? "no query" : describe(sent_.front()));
            sent_.clear();
            return true;
        }
        if (what == "querier" && n == 4) {
            // Example: expect querier 10.0.1.0/24 10.0.1.2
            const auto *s = network(w[2]);
            if (!s)
                return false;
            check(w[3], s->querier ? s->querier->toString() : "none");
            return true;
        }
        if (what == "refused" && n == 4) {
            // Example: expect refused 10.0.1.0/24 1
            const auto *s = network(w[2]);
            if (!s)
                return false;
            check(w[3], std::to_string(s->refused));
            return true;
        }
        if (what == "group" && n >= 5) {
            // Example: expect group 10.0.1.0/24 239.1.0.5 expires=260000 reporters=1 tracked=yes
            const auto *s = network(w[2]);
            IpAddress group;
            if (!s || !address(w[3], group))
                return false;
            auto it = s->groups.find(group);
            std::string actual = "none";
            if (it != s->groups.end())
                actual = "expires=" + std::to_string(it->second.expiresMs) +
                         " reporters=" + std::to_string(it->second.reporters.size()) +
                         " tracked=" + (it->second.tracked ? "yes" : "no");
            check(rest(4), actual);
            return true;
        }
        return bad("unknown or incomplete expectation \"" + rest(1) + "\"");
    }

    std::string name_;
    int line_ = 0;
    std::string error_;
    listen::Config config_;
    std::optional<listen::Table> table_;
    std::int64_t now_ = 0;
    std::deque<Sent> sent_;
    Outcome out_;
};

Outcome runTimeline(const std::string &text, const std::string &name = "inline")
{
    return Runner(name).run(text);
}

} // namespace

class TestListeners : public QObject
{
    Q_OBJECT

private slots:
    void timeline_data()
    {
        QTest::addColumn<QString>("path");
        const QDir dir(QStringLiteral(DMR_CORE_TESTDATA "/listeners"));
        const auto files = dir.entryInfoList({QStringLiteral("*.txt")}, QDir::Files, QDir::Name);
        QVERIFY2(files.size() >= 10, "expected at least 10 listener timelines");
        for (const QFileInfo &f : files) {
            QFile file(f.filePath());
            QVERIFY(file.open(QIODevice::ReadOnly));
            QString name = QString::fromUtf8(file.readLine()).trimmed();
            name = name.startsWith(QLatin1Char('#')) ? name.mid(1).trimmed() : f.baseName();
            QTest::newRow(qPrintable(f.baseName() + QStringLiteral(": ") + name)) << f.filePath();
        }
    }

    void timeline()
    {
        QFETCH(QString, path);
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const auto out =
            runTimeline(file.readAll().toStdString(), QFileInfo(path).fileName().toStdString());
        if (out.error)
            QFAIL(out.error->c_str());
        QVERIFY2(out.checks > 0, "a timeline must check something");
        std::string all;
        for (const auto &f : out.failures)
            all += f + "\n";
        QVERIFY2(out.failures.empty(), all.c_str());
    }

    // The harness itself catches a wrong expectation, an unexpected query, a bad command.
    void harnessCatchesMistakes()
    {
        const std::string head = "networks 10.0.1.0/24=10.0.1.2\nat 5 report 10.0.1.0/24 "
                                 "239.1.0.5 from 10.0.1.7\n";
        auto ok = runTimeline(head + "expect wanted 10.0.1.0/24 239.1.0.5\n");
        QVERIFY(!ok.error);
        QCOMPARE(ok.checks, 1);
        QVERIFY(ok.failures.empty());

        auto wrong = runTimeline(head + "expect wanted 10.0.1.0/24 239.1.0.6\n");
        QCOMPARE(wrong.failures.size(), std::size_t(1));
        QCOMPARE(wrong.failures[0],
                 std::string("inline:3: expected \"239.1.0.6\", got \"239.1.0.5\""));

        auto unexpected = runTimeline(head + "querying 10.0.1.0/24 on\nexpect wanted 10.0.1.0/24 "
                                             "239.1.0.5\n");
        QCOMPARE(unexpected.failures.size(), std::size_t(1));
        QVERIFY(unexpected.failures[0].find("1 queries sent and never expected, the first: at 5 "
                                            "query 10.0.1.0/24 general max 10000") !=
                std::string::npos);

        auto late = runTimeline(head + "querying 10.0.1.0/24 on\nat 6 expect query 10.0.1.0/24 "
                                       "general\n");
        QCOMPARE(late.failures.size(), std::size_t(1));
        QVERIFY(late.failures[0].find("expected \"at 6 query 10.0.1.0/24 general\", got \"at 5 "
                                      "query 10.0.1.0/24 general\"") != std::string::npos);

        auto typo = runTimeline(head + "repotr 10.0.1.0/24 239.1.0.5\n");
        QVERIFY(typo.error);
        QCOMPARE(*typo.error, std::string("inline:3: unknown command \"repotr\""));
        auto back = runTimeline(head + "at 4\n");
        QVERIFY(back.error);
        QCOMPARE(*back.error, std::string("inline:3: time goes back: at 4 after 5"));
        auto addr = runTimeline(head + "report 10.0.1.0/24 239.1.0.500\n");
        QVERIFY(addr.error);
        QVERIFY(addr.error->find("inline:3: ") == 0);
    }
};

QTEST_GUILESS_MAIN(TestListeners)
#include "tst_listeners.moc"
