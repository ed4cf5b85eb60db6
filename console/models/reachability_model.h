#pragma once
// The reachability matrix (get-reachability) as a heat map: one row per receiving node, one
// column per sending node, each cell what the receiver hears of the sender's probes. The cell
// colour goes from green (every recent probe heard) to red (none heard); grey when the
// receiver did not answer.

#include "model_roles.h"

#include "client/records.h"

#include <QAbstractTableModel>

namespace dmr::console {

class ReachabilityModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum class CellState : quint8 {
        Self,       // the diagonal
        Unanswered, // the receiver did not answer (down, killed, out of the view)
        NotProbing, // the receiver answered but its probe is off
        Silent,     // the receiver does not hear the sender
        Heard,      // heard; loss says how well
    };
    Q_ENUM(CellState)
    enum Role : int {
        CellStateRole = FirstModelRole, // CellState as int
        LossRole,                       // double 0..1 of the recent probes; invalid unless heard
        ReceiverRole,                   // QString
        SenderRole,                     // QString
    };

    explicit ReachabilityModel(QObject *parent = nullptr);

    // Same nodes: the cells change in place (dataChanged); other nodes: a reset.
    void setMatrix(const ReachabilityMatrix &matrix);
    void clear() { setMatrix({}); }
    const ReachabilityMatrix &matrix() const { return matrix_; }
    CellState cellState(int row, int column) const;

    // The heat-map colour of a cell state and recent loss.
    static QColor colorOf(CellState state, double loss);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

private:
    ReachabilityMatrix matrix_;
};

} // namespace dmr::console
