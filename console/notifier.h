#pragma once
// Desktop notifications: through the freedesktop notification service on the session bus
// (org.freedesktop.Notifications, what GNOME, KDE and most others run), else the system tray's
// balloon, else nothing outside the window (the caller shows it in the window anyway).

#include <QObject>
#include <QString>

class QSystemTrayIcon;

namespace dmr::console {

class Notifier : public QObject
{
    Q_OBJECT

public:
    enum class Channel { Bus, Tray, None };

    explicit Notifier(QObject *parent = nullptr);
    // Where a notification goes on this desktop.
    Channel channel() const;
    // Shows it; returns where it went.
    Channel notify(const QString &title, const QString &body);

private:
    QSystemTrayIcon *tray_ = nullptr;
};

} // namespace dmr::console
