#include "drilldialog.h"

#include "models/format.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

#include <algorithm>

namespace dmr::console {

namespace {

QString q(const std::string &s)
{
    return QString::fromStdString(s);
}

// The member after `node` in a view's join order that would lead once `node` leaves it.
QString nextIn(const std::vector<dmr::Member> &members, const std::string &node)
{
    for (const auto &m : members)
        if (m.node != node)
            return q(m.node);
    return {};
}

QString nextIn(const std::vector<dmr::NodeId> &order, const std::string &node)
{
    for (const auto &n : order)
        if (n != node)
            return q(n);
    return {};
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

QStringList DrillDialog::consequences(const dmr::Snapshot &snapshot, const QString &node,
                                      const QString &action, const QString &iface)
{
    QStringList lines;
    const std::string id = node.toStdString();
    const auto &election = snapshot.plan.election;
    if (action == QLatin1String("restore")) {
        lines << tr("Nothing moves: %1 comes back and joins its groups at the end.").arg(node);
        return lines;
    }
    std::vector<dmr::GroupName> lost = election.groupsLedBy(id);
    if (action == QLatin1String("fail-adapter")) {
        std::string group;
        if (auto n = snapshot.nodes.find(id); n != snapshot.nodes.end())
            if (const auto *i = n->second.interface(iface.toStdString()))
                group = i->group();
        std::erase_if(lost, [&](const dmr::GroupName &g) { return g != group; });
        if (group.empty())
            lines << tr("%1 has no adapter %2.").arg(node, iface);
        else
            lines << tr("%1 leaves network %2 (adapter %3).").arg(node, q(group), iface);
    }
    for (const auto &g : lost) {
        QString next;
        if (auto v = snapshot.membership.networks.find(g); v != snapshot.membership.networks.end())
            next = nextIn(v->second.members, id);
        lines << (next.isEmpty() ? tr("%1: loses its leader %2; nobody takes over.").arg(q(g), node)
                                 : tr("%1: leader %2 → %3").arg(q(g), node, next));
    }
    const bool leavesGl = action != QLatin1String("fail-adapter") ||
                          (!lost.empty() && election.groupsLedBy(id).size() == lost.size());
    if (leavesGl && election.systemLeader && *election.systemLeader == id) {
        const QString next = nextIn(election.glOrder, id);
        lines << (next.isEmpty() ? tr("System leader %1: nobody takes over.").arg(node)
                                 : tr("System leader: %1 → %2").arg(node, next));
    }
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
    const QString what =
        iface.isEmpty() ? drillActionText(action) : tr("%1 %2").arg(drillActionText(action), iface);
    setWindowTitle(tr("Drill: %1 node %2").arg(what, node));

    QStringList html;
    html << tr("<b>%1</b> node <b>%2</b>").arg(what.toHtmlEscaped(), node.toHtmlEscaped());
    html << tr("Roles: %1").arg(rolesOf(snapshot, node).join(tr(", ")).toHtmlEscaped());
    html << tr("What will move:");
    QString list = QStringLiteral("<ul>");
    for (const QString &l : consequences(snapshot, node, action, iface))
        list += QStringLiteral("<li>%1</li>").arg(l.toHtmlEscaped());
    list += QStringLiteral("</ul>");
    summary_->setText(html.join(QStringLiteral("<br>")) + list);
    summary_->setTextFormat(Qt::RichText);
    summary_->setWordWrap(true);

    reason_->setPlaceholderText(tr("Why (required): shown in the audit trail"));
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
