// dmr-bench-console: how long the console's topology view takes to follow a busy cluster. A
// benchmark program, not a test: it prints figures and exits 0.
//
//   dmr-bench-console [--nodes 1000,10000] [--seconds 30] [--change 0.1] [--animations]
//                     [--save DIR]   (the last frames as DIR/console-<nodes>-{fitted,1to1}.png)
//
// For each size, a synthetic cluster: frames of 100 nodes, each frame its own /24, and node 1 of
// each frame also on a shared LAN (Fig. 1, scaled up), started in order in a dmr::ClusterModel.
// Each simulated second, a tenth of the nodes (--change) change state: an up node fails, a failed
// one rejoins (so leaders fail too, and the marks and tunnels move). After each change the
// benchmark gives the scene the new snapshot (TopologyScene::setSnapshot, timed) and paints the
// 1920x1080 view (its viewport's paint event into a pixmap, timed). The camera stays put within a
// phase, as an operator's does: --seconds with the whole cluster fitted (small level of detail),
// then --seconds at 1:1 around the system leader (full detail). A frame is setSnapshot plus the
// render. It prints p50/p99/max of each, in milliseconds: wall-clock time, and the thread's CPU
// time (what the frame cost this thread, whatever else the machine runs: the figure to compare on
// a shared, loaded machine).

#include "scene/topologyscene.h"
#include "scene/topologyview.h"

#include "dmr/snapshot.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QPixmap>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <random>
#include <vector>

namespace {

dmr::Topology syntheticTopology(int nodes)
{
    dmr::Topology topology;
    constexpr int kFrameSize = 100;
    const int frames = std::max(1, (nodes + kFrameSize - 1) / kFrameSize);
    for (int i = 0; i < nodes; ++i) {
        const int frame = i / kFrameSize + 1;
        const int member = i % kFrameSize + 1;
        dmr::Node node;
        node.id = "f" + std::to_string(frame) + "n" + std::to_string(member);
        const auto address = [](const std::string &text) {
            return dmr::InterfaceAddress::parse(text).value();
        };
        node.interfaces.push_back(
            {"eth0", address("10." + std::to_string(frame / 250) + "." +
                             std::to_string(frame % 250) + "." + std::to_string(member) + "/24")});
        if (member == 1 && frames > 1)
            node.interfaces.push_back(
                {"eth1", address("10.200." + std::to_string(frame / 250) + "." +
                                 std::to_string(frame % 250 + 1) + "/16")});
        topology.emplace(node.id, std::move(node));
    }
    return topology;
}

// The calling thread's CPU time, in milliseconds.
double threadCpuMs()
{
    timespec t{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_nsec) / 1e6;
}

// Wall-clock and thread CPU time of one step.
class Stopwatch
{
public:
    Stopwatch() { restart(); }
    void restart()
    {
        wall_.start();
        cpu_ = threadCpuMs();
    }
    double wallMs() const { return static_cast<double>(wall_.nsecsElapsed()) / 1e6; }
    double cpuMs() const { return threadCpuMs() - cpu_; }

private:
    QElapsedTimer wall_;
    double cpu_ = 0;
};

struct Series
{
    std::vector<double> ms;
    double at(double quantile) const
    {
        if (ms.empty())
            return 0;
        std::vector<double> sorted = ms;
        std::sort(sorted.begin(), sorted.end());
        const auto index = static_cast<std::size_t>(
            std::min<double>(static_cast<double>(sorted.size() - 1),
                             std::ceil(quantile * static_cast<double>(sorted.size())) - 1));
        return sorted[index];
    }
};

struct Stats
{
    Series wall;
    Series cpu;
    void add(const Stopwatch &watch)
    {
        wall.ms.push_back(watch.wallMs());
        cpu.ms.push_back(watch.cpuMs());
    }
    void print(const char *name) const
    {
        std::printf("  %-28s wall p50 %7.2f  p99 %7.2f  max %7.2f   cpu p50 %7.2f  p99 %7.2f  "
                    "max %7.2f ms  (n=%zu)\n",
                    name, wall.at(0.5), wall.at(0.99), wall.at(1.0), cpu.at(0.5), cpu.at(0.99),
                    cpu.at(1.0), wall.ms.size());
    }
    // The sum of two steps, frame by frame (this one's frames from `offset` on).
    static Stats sum(const Stats &a, std::size_t offset, const Stats &b)
    {
        Stats out;
        for (std::size_t i = 0; i < b.wall.ms.size(); ++i) {
            out.wall.ms.push_back(a.wall.ms[offset + i] + b.wall.ms[i]);
            out.cpu.ms.push_back(a.cpu.ms[offset + i] + b.cpu.ms[i]);
        }
        return out;
    }
};

void run(int nodes, int seconds, double change, bool animations, const QString &saveDir)
{
    Stopwatch timer;
    dmr::ClusterModel model(syntheticTopology(nodes));
    std::vector<dmr::NodeId> ids;
    for (const auto &[id, node] : model.topology())
        ids.push_back(id);
    std::sort(ids.begin(), ids.end(), dmr::naturalLess);
    for (const auto &id : ids)
        (void)model.join(id);
    const double modelMs = timer.wallMs();

    dmr::console::TopologyScene scene;
    scene.setAnimationsEnabled(animations);
    dmr::console::TopologyView view(&scene);
    view.resize(1920, 1080);
    view.setAttribute(Qt::WA_DontShowOnScreen);
    view.show(); // lays the viewport out (offscreen by default, see main())
    QCoreApplication::processEvents();
    std::int64_t now = 1'700'000'000'000;

    timer.restart();
    scene.setSnapshot(dmr::makeSnapshot(model, "bench", now));
    // What the event loop does next in the console: the scene indexes its new items (a queued
    // call) before the first paint. Part of the layout, not of the first frame.
    QCoreApplication::processEvents();
    const double layoutMs = timer.wallMs();
    view.fitAll();

    // A frame as the operator gets it: the view's own paint event on its viewport (so with the
    // items' pixmap caches), run now into a 1920x1080 pixmap that lives as long as the view, as
    // a window's backing store does. (repaint() would only schedule it on a window the platform
    // has not exposed.) --save writes the last frame of each phase as it was painted.
    QPixmap frameBuffer(view.viewport()->size());
    const auto render = [&] { view.viewport()->render(&frameBuffer); };
    const qreal fitted = view.zoom();
    std::printf("%d nodes, %zu networks: model %.1f ms, first snapshot and layout %.1f ms, "
                "fitted zoom %.3f (wall-clock)\n",
                nodes, scene.topologyLayout().regions.size(), modelMs, layoutMs, fitted);

    std::mt19937 random(42);
    const auto perSecond = static_cast<std::size_t>(std::max(1.0, change * nodes));
    Stats snapshotStats;
    Stats applyStats;
    Stats fitStats;
    Stats detailStats;
    for (int s = 0; s < 2 * seconds; ++s) {
        timer.restart();
        std::vector<dmr::NodeId> picked;
        std::sample(ids.begin(), ids.end(), std::back_inserter(picked), perSecond, random);
        for (const auto &id : picked)
            (void)(model.state(id) == dmr::NodeState::Up ? model.fail(id) : model.join(id));
        now += 1000;
        const auto snapshot = dmr::makeSnapshot(model, "bench", now);
        snapshotStats.add(timer);

        timer.restart();
        scene.setSnapshot(snapshot);
        applyStats.add(timer);

        const bool last = (s + 1 == seconds || s + 1 == 2 * seconds) && !saveDir.isEmpty();
        const auto save = [&](const char *what) {
            const QString path =
                QStringLiteral("%1/console-%2-%3.png").arg(saveDir).arg(nodes).arg(what);
            if (frameBuffer.save(path))
                std::printf("  saved %s\n", qPrintable(path));
        };
        // The camera stays put within a phase, as an operator's does: first the whole cluster
        // fitted, then 1:1 around the system leader.
        const bool fittedPhase = s < seconds;
        if (fittedPhase) {
            view.fitAll();
        } else if (s == seconds) {
            view.resetZoom();
            view.centerOnNode(scene.systemLeader());
        }
        timer.restart();
        render();
        (fittedPhase ? fitStats : detailStats).add(timer);
        if (last)
            save(fittedPhase ? "fitted" : "1to1");

        if (animations)
            scene.finishAnimations();
        QCoreApplication::processEvents();
    }
    std::printf("  %zu state changes a second, %d seconds fitted then %d seconds at 1:1\n",
                perSecond, seconds, seconds);
    snapshotStats.print("model + makeSnapshot");
    applyStats.print("setSnapshot");
    fitStats.print("paint 1920x1080, fitted");
    detailStats.print("paint 1920x1080, 1:1");
    Stats::sum(applyStats, 0, fitStats).print("frame (setSnapshot+fitted)");
    Stats::sum(applyStats, fitStats.wall.ms.size(), detailStats).print("frame (setSnapshot+1:1)");
}

} // namespace

int main(int argc, char **argv)
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Frame time of the console's topology view under churn."));
    parser.addHelpOption();
    parser.addOption({QStringLiteral("nodes"), QStringLiteral("Cluster sizes, comma-separated."),
                      QStringLiteral("list"), QStringLiteral("1000,10000")});
    parser.addOption({QStringLiteral("seconds"), QStringLiteral("Simulated seconds per size."),
                      QStringLiteral("n"), QStringLiteral("30")});
    parser.addOption({QStringLiteral("change"),
                      QStringLiteral("Fraction of the nodes changing state each second."),
                      QStringLiteral("fraction"), QStringLiteral("0.1")});
    parser.addOption({QStringLiteral("save"),
                      QStringLiteral("Save the last frames of each size as PNG in this directory."),
                      QStringLiteral("dir")});
    parser.addOption({QStringLiteral("animations"),
                      QStringLiteral("Keep the change animations on (they are capped anyway).")});
    parser.process(app);

    const int seconds = std::max(1, parser.value(QStringLiteral("seconds")).toInt());
    const double change = std::clamp(parser.value(QStringLiteral("change")).toDouble(), 0.0, 1.0);
    for (const auto &size : parser.value(QStringLiteral("nodes")).split(QLatin1Char(','))) {
        const int nodes = size.trimmed().toInt();
        if (nodes > 0)
            run(nodes, seconds, change, parser.isSet(QStringLiteral("animations")),
                parser.value(QStringLiteral("save")));
    }
    return 0;
}
