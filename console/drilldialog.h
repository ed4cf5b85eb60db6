#pragma once
// The confirmation of a drill: it names the node, its roles and what will move (the networks
// that lose their leader and who takes over, the system leader's successor, the tunnels that
// open and close), and asks for a reason (required) and an optional duration. What will move is
// the what-if of the live snapshot (whatif.h: the model and planner dmrctl plan uses); the main
// window draws the same over the topology while the dialog is open.

#include "dmr/snapshot.h"

#include <QDialog>
#include <QStringList>

#include <functional>
#include <optional>

class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QSpinBox;

namespace dmr::console {

class DrillDialog : public QDialog
{
    Q_OBJECT

public:
    // action: "kill", "fail-adapter", "drain" or "restore"; iface only for "fail-adapter".
    DrillDialog(const dmr::Snapshot &snapshot, const QString &node, const QString &action,
                const QString &iface, QWidget *parent = nullptr);

    QString node() const { return node_; }
    QString action() const { return action_; }
    QString iface() const { return iface_; }
    QString reason() const;
    void setReason(const QString &reason);
    // nullopt: until restored (the spin box at 0).
    std::optional<qint64> durationMs() const;
    void setDurationSeconds(int seconds);
    // The text of the summary (node, roles, consequences), for tests.
    QString summaryText() const;

    // The node's roles, for a person: "system leader", "leader of 10.0.1.0/24".
    static QStringList rolesOf(const dmr::Snapshot &snapshot, const QString &node);
    // What will move, one line each: "10.0.1.0/24: leader 2 → 1", "tunnel 6 ⇄ 1 opens".
    static QStringList consequences(const dmr::Snapshot &snapshot, const QString &node,
                                    const QString &action, const QString &iface);
    // The drill as a sentence, for titles and messages: "Kill node 2", "Fail adapter eth1 of
    // node 4" (whole sentences, so that every language orders the words its own way).
    static QString title(const QString &action, const QString &node, const QString &iface = {});

    // Shows the dialog modally; returns QDialog::Accepted or Rejected. Tests replace it with
    // execHook, which may fill the fields and decide.
    int run();
    static inline std::function<int(DrillDialog &)> execHook;

private:
    void updateOk();

    QString node_;
    QString action_;
    QString iface_;
    QLabel *summary_;
    QLineEdit *reason_;
    QSpinBox *duration_;
    QDialogButtonBox *buttons_;
};

} // namespace dmr::console
