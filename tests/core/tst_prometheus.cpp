// The Prometheus text writer (shared/include/dmr/prometheus.h): families, samples, and label
// values escaped so that no node id, peer or channel can end a label early or start a line.

#include "dmr/prometheus.h"

#include <QtTest>

#include <string>
#include <vector>

using namespace dmr::prometheus;

namespace {

// The exposition format's label value, read back: what a scraper sees between the quotes.
// `ok` turns false when the text is not a well-formed quoted value.
std::string unescape(const std::string &quoted, bool &ok)
{
    ok = true;
    std::string out;
    for (std::size_t i = 0; i < quoted.size(); ++i) {
        const char c = quoted[i];
        if (c == '"' || c == '\n') {
            ok = false; // an unescaped quote or line feed ends the value early
            return out;
        }
        if (c != '\\') {
            out += c;
            continue;
        }
        if (++i == quoted.size()) {
            ok = false;
            return out;
        }
        switch (quoted[i]) {
        case '\\':
            out += '\\';
            break;
        case '"':
            out += '"';
            break;
        case 'n':
            out += '\n';
            break;
        default:
            ok = false;
            return out;
        }
    }
    return out;
}

std::vector<std::string> lines(const std::string &text)
{
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start < text.size()) {
        const auto end = text.find('\n', start);
        out.push_back(text.substr(start, end - start));
        start = end == std::string::npos ? text.size() : end + 1;
    }
    return out;
}

} // namespace

class TestPrometheus : public QObject
{
    Q_OBJECT

private slots:
    void familyAndSamples()
    {
        Writer w;
        w.family("dmr_up", "gauge", "1 while the agent is in a view");
        w.sample("dmr_up", {{"node", "2"}}, 1);
        w.metric("dmr_views_installed_total", "counter", "views installed", {{"node", "2"}},
                 std::uint64_t{18446744073709551615ULL});
        w.family("dmr_relay_drops_total", "counter", "drops, by reason");
        w.sample("dmr_relay_drops_total", {{"node", "2"}, {"reason", "too-short"}}, 0);
        w.sample("dmr_bare", {}, -3);
        w.sample("dmr_reachability_loss", {{"from", "4"}}, 0.25);
        w.sample("dmr_reachability_loss", {{"from", "5"}}, 1e-07);
        w.sample("dmr_flag", {}, true);
        QCOMPARE(QString::fromStdString(w.text()),
                 QStringLiteral("# HELP dmr_up 1 while the agent is in a view\n"
                                "# TYPE dmr_up gauge\n"
                                "dmr_up{node=\"2\"} 1\n"
                                "# HELP dmr_views_installed_total views installed\n"
                                "# TYPE dmr_views_installed_total counter\n"
                                "dmr_views_installed_total{node=\"2\"} 18446744073709551615\n"
                                "# HELP dmr_relay_drops_total drops, by reason\n"
                                "# TYPE dmr_relay_drops_total counter\n"
                                "dmr_relay_drops_total{node=\"2\",reason=\"too-short\"} 0\n"
                                "dmr_bare -3\n"
                                "dmr_reachability_loss{from=\"4\"} 0.25\n"
                                "dmr_reachability_loss{from=\"5\"} 1e-07\n"
                                "dmr_flag 1\n"));
    }

    void floats()
    {
        QCOMPARE(Writer::formatDouble(0), std::string("0"));
        QCOMPARE(Writer::formatDouble(0.333), std::string("0.333"));
        QCOMPARE(Writer::formatDouble(std::numeric_limits<double>::quiet_NaN()),
                 std::string("NaN"));
        QCOMPARE(Writer::formatDouble(std::numeric_limits<double>::infinity()),
                 std::string("+Inf"));
        QCOMPARE(Writer::formatDouble(-std::numeric_limits<double>::infinity()),
                 std::string("-Inf"));
    }

    void labelValuesAreEscaped_data()
    {
        QTest::addColumn<QByteArray>("value");
        QTest::addColumn<QByteArray>("escaped");
        QTest::newRow("plain") << QByteArray("node-2") << QByteArray("node-2");
        QTest::newRow("quote") << QByteArray("a\"b") << QByteArray("a\\\"b");
        QTest::newRow("backslash") << QByteArray("a\\b") << QByteArray("a\\\\b");
        QTest::newRow("line feed") << QByteArray("a\nb") << QByteArray("a\\nb");
        QTest::newRow("all, twice")
            << QByteArray("\\\"\n\\\"\n") << QByteArray("\\\\\\\"\\n\\\\\\\"\\n");
        QTest::newRow("a closing brace and a forged sample")
            << QByteArray("x\"} 9\ndmr_up{node=\"y") << QByteArray("x\\\"} 9\\ndmr_up{node=\\\"y");
        QTest::newRow("utf-8") << QByteArray("n\xc3\xb6"
                                             "de")
                               << QByteArray("n\xc3\xb6"
                                             "de");
    }

    void labelValuesAreEscaped()
    {
        QFETCH(QByteArray, value);
        QFETCH(QByteArray, escaped);
        const std::string v = value.toStdString();
        QCOMPARE(QByteArray::fromStdString(escapeLabelValue(v)), escaped);

        // In a whole family: one HELP, one TYPE, one sample line, whose value reads back.
        Writer w;
        w.metric("dmr_up", "gauge", "help", {{"node", v}, {"peer", v}}, 1);
        const auto ls = lines(w.text());
        QCOMPARE(ls.size(), std::size_t{3});
        const std::string &sample = ls[2];
        const std::string prefix = "dmr_up{node=\"";
        QVERIFY(sample.rfind(prefix, 0) == 0);
        const std::string rest = sample.substr(prefix.size());
        const std::string expectedTail =
            escapeLabelValue(v) + "\",peer=\"" + escapeLabelValue(v) + "\"} 1";
        QCOMPARE(rest, expectedTail);
        bool ok = false;
        QCOMPARE(unescape(escapeLabelValue(v), ok), v);
        QVERIFY(ok);
    }

    void helpIsEscaped()
    {
        QCOMPARE(escapeHelp("a \\ b\nc \"quoted\""), std::string("a \\\\ b\\nc \"quoted\""));
        Writer w;
        w.family("dmr_x", "gauge", "two\nlines");
        QCOMPARE(w.text(), std::string("# HELP dmr_x two\\nlines\n# TYPE dmr_x gauge\n"));
    }
};

QTEST_APPLESS_MAIN(TestPrometheus)
#include "tst_prometheus.moc"
