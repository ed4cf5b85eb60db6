#include "reachability_model.h"

#include <QColor>

#include <cmath>

namespace dmr::console {

ReachabilityModel::ReachabilityModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

void ReachabilityModel::setMatrix(const ReachabilityMatrix &matrix)
{
    if (matrix.nodes == matrix_.nodes) {
        matrix_ = matrix;
        if (!matrix_.nodes.isEmpty())
            emit dataChanged(index(0, 0), index(rowCount() - 1, columnCount() - 1));
        return;
    }
    beginResetModel();
    matrix_ = matrix;
    endResetModel();
}

ReachabilityModel::CellState ReachabilityModel::cellState(int row, int column) const
{
    if (row == column)
        return CellState::Self;
    const auto *r = matrix_.row(matrix_.nodes.value(row));
    if (!r || !r->answered)
        return CellState::Unanswered;
    if (!r->probing)
        return CellState::NotProbing;
    const auto *c = r->cellFrom(matrix_.nodes.value(column));
    return c && c->heard ? CellState::Heard : CellState::Silent;
}

QColor ReachabilityModel::colorOf(CellState state, double loss)
{
    switch (state) {
    case CellState::Self:
        return QColor(0x80, 0x80, 0x80, 0x30);
    case CellState::Unanswered:
    case CellState::NotProbing:
        return QColor(0x9e, 0x9e, 0x9e);
    case CellState::Silent:
        return QColor(0xc6, 0x28, 0x28);
    case CellState::Heard:
        break;
    }
    // Green at no loss, through amber, to red at 50 % loss and beyond.
    const double t = std::clamp(loss * 2.0, 0.0, 1.0);
    const QColor green(0x2e, 0x7d, 0x32);
    const QColor amber(0xf9, 0xa8, 0x25);
    const QColor red(0xd8, 0x43, 0x15);
    const auto mix = [](const QColor &a, const QColor &b, double f) {
        return QColor::fromRgbF(float(a.redF() + (b.redF() - a.redF()) * f),
                                float(a.greenF() + (b.greenF() - a.greenF()) * f),
                                float(a.blueF() + (b.blueF() - a.blueF()) * f));
    };
    return t < 0.5 ? mix(green, amber, t * 2) : mix(amber, red, (t - 0.5) * 2);
}

int ReachabilityModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(matrix_.nodes.size());
}

int ReachabilityModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(matrix_.nodes.size());
}

QVariant ReachabilityModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const QString receiver = matrix_.nodes.value(index.row());
    const QString sender = matrix_.nodes.value(index.column());
    const CellState state = cellState(index.row(), index.column());
    const ReachabilityRow *r = matrix_.row(receiver);
    const ReachabilityCell *c = r ? r->cellFrom(sender) : nullptr;
    const double loss = state == CellState::Heard && c ? c->loss : 1.0;

    switch (role) {
    case Qt::DisplayRole:
        switch (state) {
        case CellState::Self:
            return QString();
        case CellState::Unanswered:
        case CellState::NotProbing:
            return QStringLiteral("?");
        case CellState::Silent:
            return QStringLiteral("✕");
        case CellState::Heard:
            // The share heard, so that a full green cell reads 100 % (a loss of 0 % read as
            // "nothing").
            return QStringLiteral("%1%").arg(std::lround((1 - loss) * 100));
        }
        return {};
    case Qt::BackgroundRole:
        return colorOf(state, loss);
    case Qt::ForegroundRole:
        return state == CellState::Self ? QVariant() : QVariant(QColor(Qt::white));
    case Qt::TextAlignmentRole:
        return int(Qt::AlignCenter);
    case Qt::ToolTipRole:
    case Qt::AccessibleTextRole:
        switch (state) {
        case CellState::Self:
            return tr("Node %1").arg(receiver);
        case CellState::Unanswered:
            return tr("Node %1 did not answer: it is down or out of the cluster").arg(receiver);
        case CellState::NotProbing:
            return tr("Node %1 does not run the reachability probe").arg(receiver);
        case CellState::Silent:
            return c ? tr("%1 does not hear %2: last heard %3 ms ago; %4 received, %5 lost")
                           .arg(receiver, sender)
                           .arg(c->ageMs)
                           .arg(c->received)
                           .arg(c->lost)
                     : tr("%1 has never heard %2").arg(receiver, sender);
        case CellState::Heard: {
            QString heard = tr("%1 hears %2: %3% of the recent probes heard; %4 received and %5 "
                               "lost in all; last heard %6 ms ago")
                                .arg(receiver, sender)
                                .arg(std::lround((1 - loss) * 100))
                                .arg(c->received)
                                .arg(c->lost)
                                .arg(c->ageMs);
            if (c->duplicates > 0)
                heard += u'\n' + tr("%1 extra copies dropped (normal: a probe can arrive by two "
                                    "routes while the plan changes)")
                                     .arg(c->duplicates);
            return heard;
        }
        }
        return {};
    case RawValueRole:
    case LossRole:
        return state == CellState::Heard ? QVariant(loss) : QVariant();
    case CellStateRole:
        return int(state);
    case ReceiverRole:
        return receiver;
    case SenderRole:
        return sender;
    case SortRole:
        return state == CellState::Heard ? loss : 2.0;
    default:
        return {};
    }
}

QVariant ReachabilityModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (section < 0 || section >= matrix_.nodes.size())
        return {};
    const QString node = matrix_.nodes[section];
    switch (role) {
    case Qt::DisplayRole:
        return node;
    case Qt::ToolTipRole:
        return orientation == Qt::Horizontal ? tr("Probes sent by node %1").arg(node)
                                             : tr("What node %1 hears").arg(node);
    default:
        return {};
    }
}

QHash<int, QByteArray> ReachabilityModel::roleNames() const
{
    auto names = QAbstractTableModel::roleNames();
    names.insert(CellStateRole, "cellState");
    names.insert(LossRole, "loss");
    names.insert(ReceiverRole, "receiver");
    names.insert(SenderRole, "sender");
    return names;
}

} // namespace dmr::console
