#include "drilldialog.h"

#include "models/format.h"
#include "models/whatif.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSet>
#include <QSpinBox>
#include <QVBoxLayout>

#include <algorithm>

namespace dmr::console {

namespace {

QString q(const std::string &s)
{
    return QString::fromStdString(s);
}

} // namespace

QStringList DrillDialog::rolesOf(const dmr::Snapshot &snapshot, const QString &node)
{
    QStringList roles;
    const std::string id = node.toStdString();
    const auto &election = snapshot.plan.election;
    if (election.systemLeader && *election.systemLeader == id)
        roles << tr("system leader");
    for (const auto &g : election.groupsLedBy(id))
        roles << tr("leader of %1").arg(q(g));
    if (roles.isEmpty())
        roles << tr("member");
    return roles;
}

QString DrillDialog::title(const QString &action, const QString &node, const QString &iface)
{
    if (action == u"kill")
        return tr("Kill node %1").arg(node);
    if (action == u"drain")
        return tr("Drain node %1").arg(node);
    if (action == u"fail-adapter")
        return tr("Fail adapter %1 of node %2").arg(iface, node);
    if (action == u"restore")
        return iface.isEmpty() ? tr("Restore node %1").arg(node)
                               : tr("Restore adapter %1 of node %2").arg(iface, node);
    return tr("%1 node %2").arg(action, node);
}

QStringList DrillDialog::consequences(const dmr::Snapshot &snapshot, const QString &node,
                                      const QString &action, const QString &iface)
{
    QStringList lines;
    const std::string id = node.toStdString();
    if (action == QLatin1String("fail-adapter")) {
        std::string group;
        if (auto n = snapshot.nodes.find(id); n != snapshot.nodes.end())
            if (const auto *i = n->second.interface(iface.toStdString()))
                group = i->group();
        if (group.empty()) {
            lines << tr("%1 has no adapter %2.").arg(node, iface);
            return lines;
        }
        lines << tr("%1 leaves network %2 (adapter %3).").arg(node, q(group), iface);
    }
    const WhatIf w = whatIf(snapshot, action, node, iface);
    if (!w.error.isEmpty()) {
        lines << tr("Cannot tell: %1").arg(w.error);
        return lines;
    }
    const auto &was = snapshot.plan.election;
    const auto &now = w.after.plan.election;
    for (const auto &[group, leader] : was.groupLeaders) {
        const auto it = now.groupLeaders.find(group);
        const QString next = it == now.groupLeaders.end() ? QString() : q(it->second);
        if (next == q(leader))
            continue;
        lines << (next.isEmpty()
                      ? tr("%1: loses its leader %2; nobody takes over.").arg(q(group), q(leader))
                      : tr("%1: leader %2 → %3").arg(q(group), q(leader), next));
    }
    for (const auto &[group, leader] : now.groupLeaders)
        if (was.groupLeaders.count(group) == 0)
            lines << tr("%1: gets a leader again, %2").arg(q(group), q(leader));
    if (was.systemLeader != now.systemLeader) {
        const QString from = was.systemLeader ? q(*was.systemLeader) : tr("nobody");
        lines << (now.systemLeader ? tr("System leader: %1 → %2").arg(from, q(*now.systemLeader))
                                   : tr("System leader %1: nobody takes over.").arg(from));
    }
    const auto key = [](const dmr::Tunnel &t) { return q(t.root.node) + u'-' + q(t.leaf.node); };
    QSet<QString> before;
    QSet<QString> after;
    for (const auto &t : snapshot.plan.tunnels)
        before.insert(key(t));
    for (const auto &t : w.after.plan.tunnels)
        after.insert(key(t));
    for (const auto &t : w.after.plan.tunnels)
        if (!before.contains(key(t)))
            lines << tr("Tunnel %1 ⇄ %2 opens.").arg(q(t.root.node), q(t.leaf.node));
    for (const auto &t : snapshot.plan.tunnels)
        if (!after.contains(key(t)))
            lines << tr("Tunnel %1 ⇄ %2 closes.").arg(q(t.root.node), q(t.leaf.node));
    if (action == QLatin1String("restore") && lines.isEmpty())
        lines << tr("Nothing moves: %1 comes back and joins its groups at the end.").arg(node);
    if (lines.isEmpty())
        lines << tr("No roles move: %1 leads nothing.").arg(node);
    return lines;
}

DrillDialog::DrillDialog(const dmr::Snapshot &snapshot, const QString &node, const QString &action,
                         const QString &iface, QWidget *parent)
    : QDialog(parent)
    , node_(node)
    , action_(action)
    , iface_(iface)
    , summary_(new QLabel(this))
    , reason_(new QLineEdit(this))
    , duration_(new QSpinBox(this))
    , buttons_(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this))
{
    setObjectName(QStringLiteral("drillDialog"));
    const QString what = title(action, node, iface);
    setWindowTitle(tr("Drill: %1").arg(what));

    QStringList html;
    html << QStringLiteral("<b>%1</b>").arg(what.toHtmlEscaped());
    html << tr("Roles: %1").arg(rolesOf(snapshot, node).join(tr(", ")).toHtmlEscaped());
    html << tr("What will move (the planner's answer, drawn over the topology):");
    QString list = QStringLiteral("<ul>");
    for (const QString &l : consequences(snapshot, node, action, iface))
        list += QStringLiteral("<li>%1</li>").arg(l.toHtmlEscaped());
    list += QStringLiteral("</ul>");
    summary_->setText(html.join(QStringLiteral("<br>")) + list);
    summary_->setTextFormat(Qt::RichText);
    summary_->setWordWrap(true);

    reason_->setPlaceholderText(tr("Why (required): shown in the audit trail"));
    // Wide enough for the whole hint.
    reason_->setMinimumWidth(reason_->fontMetrics().horizontalAdvance(reason_->placeholderText()) +
                             40);
    duration_->setRange(0, 86400);
    duration_->setSuffix(tr(" s"));
    duration_->setSpecialValueText(tr("until restored"));
    duration_->setEnabled(action != QLatin1String("restore")); // a restore takes no duration

    auto *form = new QFormLayout;
    form->addRow(tr("&Reason:"), reason_);
    form->addRow(tr("&Duration:"), duration_);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(summary_);
    layout->addLayout(form);
    layout->addWidget(buttons_);
    buttons_->button(QDialogButtonBox::Ok)->setText(tr("Run drill"));
    connect(buttons_, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons_, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(reason_, &QLineEdit::textChanged, this, &DrillDialog::updateOk);
    updateOk();
}

QString DrillDialog::reason() const
{
    return reason_->text().trimmed();
}

void DrillDialog::setReason(const QString &reason)
{
    reason_->setText(reason);
}

std::optional<qint64> DrillDialog::durationMs() const
{
    if (duration_->value() == 0)
        return std::nullopt;
    return qint64(duration_->value()) * 1000;
}

void DrillDialog::setDurationSeconds(int seconds)
{
    duration_->setValue(seconds);
}

QString DrillDialog::summaryText() const
{
    return summary_->text();
}

void DrillDialog::updateOk()
{
    buttons_->button(QDialogButtonBox::Ok)->setEnabled(!reason().isEmpty());
}

int DrillDialog::run()
{
    const int r = execHook ? execHook(*this) : exec();
    return (r == QDialog::Accepted && !reason().isEmpty()) ? QDialog::Accepted : QDialog::Rejected;
}

} // namespace dmr::console
