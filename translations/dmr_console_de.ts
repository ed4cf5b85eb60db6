<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE">
<context>
    <name>dmr::console</name>
    <message>
        <location filename="../console/client/endpoint.cpp" line="17"/>
        <source>invalid agent address &quot;%1&quot;: %2</source>
        <translation>ungültige Agent-Adresse „%1“: %2</translation>
    </message>
    <message>
        <location filename="../console/client/endpoint.cpp" line="22"/>
        <source>empty</source>
        <translation>leer</translation>
    </message>
    <message>
        <location filename="../console/client/endpoint.cpp" line="29"/>
        <source>missing &quot;]&quot; after the IPv6 address</source>
        <translation>„]“ fehlt nach der IPv6-Adresse</translation>
    </message>
    <message>
        <location filename="../console/client/endpoint.cpp" line="34"/>
        <source>expected &quot;:PORT&quot; after &quot;]&quot;</source>
        <translation>„:PORT“ nach „]“ erwartet</translation>
    </message>
    <message>
        <location filename="../console/client/endpoint.cpp" line="37"/>
        <location filename="../console/client/endpoint.cpp" line="44"/>
        <source>empty port</source>
        <translation>leerer Port</translation>
    </message>
    <message>
        <location filename="../console/client/endpoint.cpp" line="47"/>
        <source>empty host</source>
        <translation>leerer Host</translation>
    </message>
    <message>
        <location filename="../console/client/endpoint.cpp" line="55"/>
        <source>port &quot;%1&quot; is not a number from 1 to 65535</source>
        <translation>Port „%1“ ist keine Zahl von 1 bis 65535</translation>
    </message>
    <message>
        <location filename="../console/client/records.cpp" line="40"/>
        <location filename="../console/client/records.cpp" line="322"/>
        <source>a string or null</source>
        <translation>eine Zeichenkette oder null</translation>
    </message>
    <message>
        <location filename="../console/client/records.cpp" line="40"/>
        <location filename="../console/client/records.cpp" line="120"/>
        <source>a string</source>
        <translation>eine Zeichenkette</translation>
    </message>
    <message>
        <location filename="../console/client/records.cpp" line="67"/>
        <source>an integer or null</source>
        <translation>eine ganze Zahl oder null</translation>
    </message>
    <message>
        <location filename="../console/client/records.cpp" line="67"/>
        <source>an integer</source>
        <translation>eine ganze Zahl</translation>
    </message>
    <message>
        <location filename="../console/client/records.cpp" line="75"/>
        <source>a number</source>
        <translation>eine Zahl</translation>
    </message>
    <message>
        <location filename="../console/client/records.cpp" line="88"/>
        <source>a boolean</source>
        <translation>ein Wahrheitswert</translation>
    </message>
    <message>
        <location filename="../console/client/records.cpp" line="96"/>
        <source>an array</source>
        <translation>ein Array</translation>
    </message>
    <message>
        <location filename="../console/client/records.cpp" line="104"/>
        <location filename="../console/client/records.cpp" line="132"/>
        <source>an object</source>
        <translation>ein Objekt</translation>
    </message>
    <message>
        <location filename="../console/client/records.cpp" line="145"/>
        <source>%1: must be %2, found %3</source>
        <translation>%1: muss %2 sein, gefunden: %3</translation>
    </message>
    <message>
        <location filename="../console/client/records.cpp" line="157"/>
        <source>null</source>
        <translation>null</translation>
    </message>
    <message>
        <location filename="../console/client/records.cpp" line="159"/>
        <source>boolean %1</source>
        <translation>Wahrheitswert %1</translation>
    </message>
    <message>
        <location filename="../console/client/records.cpp" line="161"/>
        <source>number %1</source>
        <translation>Zahl %1</translation>
    </message>
    <message>
        <location filename="../console/client/records.cpp" line="163"/>
        <source>string &quot;%1&quot;</source>
        <translation>Zeichenkette „%1“</translation>
    </message>
    <message>
        <location filename="../console/client/records.cpp" line="165"/>
        <source>array</source>
        <translation>Array</translation>
    </message>
    <message>
        <location filename="../console/client/records.cpp" line="167"/>
        <source>object</source>
        <translation>Objekt</translation>
    </message>
    <message>
        <location filename="../console/client/records.cpp" line="171"/>
        <source>nothing (missing)</source>
        <translation>nichts (fehlt)</translation>
    </message>
    <message>
        <location filename="../console/client/records.cpp" line="209"/>
        <source>%1 ms</source>
        <translation>%1 ms</translation>
    </message>
    <message>
        <location filename="../console/client/records.cpp" line="368"/>
        <source>an object or null</source>
        <translation>ein Objekt oder null</translation>
    </message>
    <message>
        <location filename="../console/client/records.cpp" line="551"/>
        <source>connection lost</source>
        <translation>Verbindung verloren</translation>
    </message>
    <message>
        <location filename="../console/client/records.cpp" line="553"/>
        <source>silent (missed heartbeats)</source>
        <translation>stumm (Heartbeats ausgeblieben)</translation>
    </message>
    <message>
        <location filename="../console/client/records.cpp" line="555"/>
        <source>etcd lease expired</source>
        <translation>etcd-Lease abgelaufen</translation>
    </message>
    <message>
        <location filename="../console/client/records.cpp" line="557"/>
        <source>left (stopped)</source>
        <translation>ausgetreten (beendet)</translation>
    </message>
    <message>
        <location filename="../console/client/records.cpp" line="559"/>
        <source>expelled by the coordinator</source>
        <translation>vom Koordinator ausgeschlossen</translation>
    </message>
    <message>
        <location filename="../console/client/records.cpp" line="563"/>
        <source>adapter failed</source>
        <translation>Adapter ausgefallen</translation>
    </message>
    <message>
        <location filename="../console/client/records.cpp" line="565"/>
        <source>roles moved</source>
        <translation>Rollen verschoben</translation>
    </message>
    <message>
        <location filename="../console/client/records.cpp" line="572"/>
        <source>system leader</source>
        <translation>Systemleiter</translation>
    </message>
    <message>
        <location filename="../console/client/records.cpp" line="574"/>
        <source>leader of %1</source>
        <translation>Leiter von %1</translation>
    </message>
    <message>
        <location filename="../console/client/records.cpp" line="583"/>
        <source>view of %1: empty</source>
        <translation>Sicht von %1: leer</translation>
    </message>
    <message>
        <location filename="../console/client/records.cpp" line="584"/>
        <source>view of %1: leader %2, members %3</source>
        <translation>Sicht von %1: Leiter %2, Mitglieder %3</translation>
    </message>
    <message>
        <location filename="../console/client/records.cpp" line="588"/>
        <source>plan unchanged</source>
        <translation>Plan unverändert</translation>
    </message>
    <message>
        <location filename="../console/client/records.cpp" line="590"/>
        <source>plan changed: 1 action: %1</source>
        <translation>Plan geändert: 1 Aktion: %1</translation>
    </message>
    <message>
        <location filename="../console/client/records.cpp" line="591"/>
        <source>plan changed: %1 actions: %2</source>
        <translation>Plan geändert: %1 Aktionen: %2</translation>
    </message>
    <message>
        <location filename="../console/client/records.cpp" line="595"/>
        <source>the system leader</source>
        <translation>der Systemleiter</translation>
    </message>
    <message>
        <location filename="../console/client/records.cpp" line="596"/>
        <source>nobody</source>
        <translation>niemand</translation>
    </message>
    <message>
        <location filename="../console/client/records.cpp" line="598"/>
        <source>failover of %1: %2 -&gt; %3</source>
        <translation>Failover von %1: %2 -&gt; %3</translation>
    </message>
    <message>
        <location filename="../console/client/records.cpp" line="599"/>
        <source>failover of %1: %2 -&gt; %3 (%4)</source>
        <translation>Failover von %1: %2 -&gt; %3 (%4)</translation>
    </message>
    <message>
        <location filename="../console/client/records.cpp" line="611"/>
        <source>drill: %1</source>
        <translation>Übung: %1</translation>
    </message>
    <message>
        <location filename="../console/client/records.cpp" line="612"/>
        <source>drill by %1: %2</source>
        <translation>Übung durch %1: %2</translation>
    </message>
    <message>
        <location filename="../console/client/records.cpp" line="617"/>
        <location filename="../console/models/listener_model.cpp" line="194"/>
        <location filename="../console/cli.cpp" line="92"/>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <location filename="../console/client/records.cpp" line="625"/>
        <source>kill of node %1</source>
        <translation>Beenden von Knoten %1</translation>
    </message>
    <message>
        <location filename="../console/client/records.cpp" line="627"/>
        <source>drain of node %1</source>
        <translation>Entleeren von Knoten %1</translation>
    </message>
    <message>
        <location filename="../console/client/records.cpp" line="629"/>
        <source>failure of adapter %1 of node %2</source>
        <translation>Ausfall von Adapter %1 an Knoten %2</translation>
    </message>
    <message>
        <location filename="../console/client/records.cpp" line="631"/>
        <source>restore of node %1</source>
        <translation>Wiederherstellen von Knoten %1</translation>
    </message>
    <message>
        <location filename="../console/client/records.cpp" line="633"/>
        <source>restore of adapter %1 of node %2</source>
        <translation>Wiederherstellen von Adapter %1 an Knoten %2</translation>
    </message>
    <message>
        <location filename="../console/client/records.cpp" line="635"/>
        <source>%1 of node %2</source>
        <translation>%1 an Knoten %2</translation>
    </message>
    <message>
        <location filename="../console/client/records.cpp" line="637"/>
        <source>for %1</source>
        <translation>für %1</translation>
    </message>
    <message>
        <location filename="../console/models/format.cpp" line="24"/>
        <source>up</source>
        <translation>aktiv</translation>
    </message>
    <message>
        <location filename="../console/models/format.cpp" line="26"/>
        <source>down</source>
        <translation>nicht gestartet</translation>
    </message>
    <message>
        <location filename="../console/models/format.cpp" line="28"/>
        <source>failed</source>
        <translation>ausgefallen</translation>
    </message>
    <message>
        <location filename="../console/client/records.cpp" line="561"/>
        <location filename="../console/models/format.cpp" line="30"/>
        <source>drained</source>
        <translation>entleert</translation>
    </message>
    <message>
        <location filename="../console/models/format.cpp" line="38"/>
        <source>kill</source>
        <translation>beenden</translation>
    </message>
    <message>
        <location filename="../console/models/format.cpp" line="40"/>
        <source>fail adapter</source>
        <translation>Adapter ausfallen lassen</translation>
    </message>
    <message>
        <location filename="../console/models/format.cpp" line="42"/>
        <source>drain</source>
        <translation>entleeren</translation>
    </message>
    <message>
        <location filename="../console/models/format.cpp" line="44"/>
        <source>restore</source>
        <translation>wiederherstellen</translation>
    </message>
    <message>
        <location filename="../console/models/plan_timeline.cpp" line="23"/>
        <source>node %1 failed</source>
        <translation>Knoten %1 ausgefallen</translation>
    </message>
    <message>
        <location filename="../console/models/plan_timeline.cpp" line="26"/>
        <source>node %1 drained</source>
        <translation>Knoten %1 entleert</translation>
    </message>
    <message>
        <location filename="../console/models/plan_timeline.cpp" line="29"/>
        <source>node %1 down</source>
        <translation>Knoten %1 gestoppt</translation>
    </message>
    <message>
        <location filename="../console/models/plan_timeline.cpp" line="33"/>
        <source>adapter %1 of node %2 failed</source>
        <translation>Adapter %1 an Knoten %2 ausgefallen</translation>
    </message>
    <message>
        <location filename="../console/models/plan_timeline.cpp" line="41"/>
        <source>%1 has no leader</source>
        <translation>%1 hat keinen Leiter</translation>
    </message>
    <message>
        <location filename="../console/cli.cpp" line="14"/>
        <source>Agent control port (default: the last used, or 127.0.0.1:7500); repeat or separate with commas to try several in turn.</source>
        <translation>Steuerport des Agenten (Standard: der zuletzt benutzte oder 127.0.0.1:7500); mehrfach angeben oder mit Kommas trennen, um mehrere der Reihe nach zu versuchen.</translation>
    </message>
    <message>
        <location filename="../console/cli.cpp" line="17"/>
        <source>Operator token, for drills (default: $DMR_TOKEN).</source>
        <translation>Operator-Token für Übungen (Standard: $DMR_TOKEN).</translation>
    </message>
    <message>
        <location filename="../console/cli.cpp" line="18"/>
        <source>Language of the interface: de, ja or en.</source>
        <translation>Sprache der Oberfläche: de, ja oder en.</translation>
    </message>
    <message>
        <location filename="../console/cli.cpp" line="19"/>
        <source>Headless: connect, write the topology to FILE (.png, .svg, .json, .dot) and exit.</source>
        <translation>Ohne Fenster: verbinden, die Topologie in FILE schreiben (.png, .svg, .json, .dot) und beenden.</translation>
    </message>
    <message>
        <location filename="../console/cli.cpp" line="21"/>
        <source>Start dmr-lab on this topology file, connect to it as an operator, and stop it on exit.</source>
        <translation>dmr-lab mit dieser Topologiedatei starten, sich als Operator verbinden und es beim Beenden stoppen.</translation>
    </message>
    <message>
        <location filename="../console/cli.cpp" line="23"/>
        <source>The cluster&apos;s topology file: its nodes that never joined are drawn too (--lab sets it).</source>
        <translation>Die Topologiedatei des Clusters: auch Knoten, die nie beigetreten sind, werden gezeichnet (--lab setzt sie).</translation>
    </message>
    <message>
        <location filename="../console/cli.cpp" line="25"/>
        <source>Once the picture has settled, save the window to FILE (.png) and exit (docs/take-screenshots.sh uses it).</source>
        <translation>Wenn das Bild zur Ruhe gekommen ist, das Fenster in FILE (.png) speichern und beenden (docs/take-screenshots.sh nutzt es).</translation>
    </message>
    <message>
        <location filename="../console/cli.cpp" line="27"/>
        <source>With --screenshot: the panel in front (events, failovers, timeline, drills, reachability, groups, limits).</source>
        <translation>Mit --screenshot: das Fenster vorn (events, failovers, timeline, drills, reachability, groups, limits).</translation>
    </message>
    <message>
        <location filename="../console/cli.cpp" line="29"/>
        <source>With --screenshot: the dark palette.</source>
        <translation>Mit --screenshot: die dunkle Palette.</translation>
    </message>
    <message>
        <location filename="../console/cli.cpp" line="30"/>
        <source>With --screenshot: select this node.</source>
        <translation>Mit --screenshot: diesen Knoten auswählen.</translation>
    </message>
    <message>
        <location filename="../console/cli.cpp" line="31"/>
        <source>With --screenshot: show the last failover&apos;s plan before and after.</source>
        <translation>Mit --screenshot: den Plan vor und nach dem letzten Failover zeigen.</translation>
    </message>
    <message>
        <location filename="../console/cli.cpp" line="33"/>
        <source>With --screenshot: the window&apos;s size.</source>
        <translation>Mit --screenshot: die Größe des Fensters.</translation>
    </message>
    <message>
        <location filename="../console/cli.cpp" line="34"/>
        <source>With --lab: the lab&apos;s base port (membership BASE+i, control BASE+1000+i; default 17400).</source>
        <translation>Mit --lab: der Basisport des Labors (Mitgliedschaft BASE+i, Steuerung BASE+1000+i; Standard 17400).</translation>
    </message>
    <message>
        <location filename="../console/cli.cpp" line="36"/>
        <source>Speak TLS 1.3 to the agents, checking their certificates against this CA (PEM).</source>
        <translation>Mit den Agenten TLS 1.3 sprechen und ihre Zertifikate gegen diese CA (PEM) prüfen.</translation>
    </message>
    <message>
        <location filename="../console/cli.cpp" line="38"/>
        <source>This console&apos;s client certificate (PEM), for agents that ask for one.</source>
        <translation>Das Client-Zertifikat dieser Konsole (PEM), für Agenten, die eines verlangen.</translation>
    </message>
    <message>
        <location filename="../console/cli.cpp" line="41"/>
        <source>The client certificate&apos;s private key (PEM).</source>
        <translation>Der private Schlüssel des Client-Zertifikats (PEM).</translation>
    </message>
    <message>
        <location filename="../console/cli.cpp" line="42"/>
        <source>With --lab: the lab makes a throwaway CA and runs its agents in TLS; the console uses that CA and the lab&apos;s operator certificate.</source>
        <translation>Mit --lab: Das Labor erzeugt eine Wegwerf-CA und betreibt seine Agenten mit TLS; die Konsole verwendet diese CA und das Operator-Zertifikat des Labors.</translation>
    </message>
    <message>
        <location filename="../console/cli.cpp" line="76"/>
        <source>--lab-tls goes with --lab</source>
        <translation>--lab-tls gehört zu --lab</translation>
    </message>
    <message>
        <location filename="../console/cli.cpp" line="77"/>
        <source>--tls-cert and --tls-key go with --tls-ca</source>
        <translation>--tls-cert und --tls-key gehören zu --tls-ca</translation>
    </message>
    <message>
        <location filename="../console/cli.cpp" line="82"/>
        <source>cannot make a temporary folder: %1</source>
        <translation>kann keinen temporären Ordner anlegen: %1</translation>
    </message>
    <message>
        <location filename="../console/cli.cpp" line="87"/>
        <source>The DMR desktop console.</source>
        <translation>Die DMR-Desktopkonsole.</translation>
    </message>
    <message>
        <location filename="../console/cli.cpp" line="97"/>
        <source>cannot start %1: %2</source>
        <translation>%1 kann nicht gestartet werden: %2</translation>
    </message>
    <message>
        <location filename="../console/cli.cpp" line="102"/>
        <source>no cluster from %1 within %2 s</source>
        <translation>kein Cluster von %1 innerhalb von %2 s</translation>
    </message>
    <message>
        <location filename="../console/cli.cpp" line="107"/>
        <source>saved %1</source>
        <translation>%1 gespeichert</translation>
    </message>
    <message>
        <location filename="../console/cli.cpp" line="112"/>
        <source>Qt&apos;s own %1 catalogue (qtbase_%1.qm) is not in %2: Qt&apos;s buttons stay in English (Debian: qt6-translations-l10n)</source>
        <translation>Qts eigener Katalog für %1 (qtbase_%1.qm) fehlt in %2: Qts Schaltflächen bleiben englisch (Debian: qt6-translations-l10n)</translation>
    </message>
    <message>
        <location filename="../console/models/format.cpp" line="50"/>
        <source>%1 → %2</source>
        <translation>%1 → %2</translation>
    </message>
    <message>
        <location filename="../console/models/listener_model.cpp" line="35"/>
        <source>%1 s</source>
        <translation>%1 s</translation>
    </message>
    <message>
        <location filename="../console/models/listener_model.cpp" line="38"/>
        <source>%1 min %2 s</source>
        <translation>%1 min %2 s</translation>
    </message>
    <message>
        <location filename="../console/models/listener_model.cpp" line="39"/>
        <source>%1 h %2 min</source>
        <translation>%1 h %2 min</translation>
    </message>
    <message>
        <location filename="../console/models/listener_model.cpp" line="111"/>
        <source>no word from its routing point yet</source>
        <translation>noch keine Auskunft von seinem Routing-Punkt</translation>
    </message>
    <message>
        <location filename="../console/models/listener_model.cpp" line="112"/>
        <source>node %1 did not answer: %2</source>
        <translation>Knoten %1 hat nicht geantwortet: %2</translation>
    </message>
    <message>
        <location filename="../console/models/listener_model.cpp" line="114"/>
        <source>the relay is off on node %1</source>
        <translation>das Relay ist auf Knoten %1 aus</translation>
    </message>
    <message>
        <location filename="../console/models/listener_model.cpp" line="116"/>
        <source>the agent of node %1 does not report listeners</source>
        <translation>der Agent von Knoten %1 meldet keine Empfänger</translation>
    </message>
    <message>
        <location filename="../console/models/listener_model.cpp" line="118"/>
        <source>node %1 keeps no listener table for it</source>
        <translation>Knoten %1 führt keine Empfängertabelle dafür</translation>
    </message>
    <message>
        <location filename="../console/models/listener_model.cpp" line="123"/>
        <source>node %1</source>
        <translation>Knoten %1</translation>
    </message>
    <message>
        <location filename="../console/models/listener_model.cpp" line="164"/>
        <source>everything</source>
        <translation>alles</translation>
    </message>
    <message>
        <location filename="../console/models/listener_model.cpp" line="169"/>
        <source>nothing</source>
        <translation>nichts</translation>
    </message>
    <message>
        <location filename="../console/models/listener_model.cpp" line="169"/>
        <source>1 group</source>
        <translation>1 Gruppe</translation>
    </message>
    <message>
        <location filename="../console/models/listener_model.cpp" line="169"/>
        <source>%1 groups</source>
        <translation>%1 Gruppen</translation>
    </message>
    <message>
        <location filename="../console/models/listener_model.cpp" line="175"/>
        <source>carries %1</source>
        <translation>trägt %1</translation>
    </message>
    <message>
        <location filename="../console/models/listener_model.cpp" line="188"/>
        <source>%1: everything (no word from node %2 on what it wants)</source>
        <translation>%1: alles (Knoten %2 hat noch nicht gesagt, was er will)</translation>
    </message>
    <message>
        <location filename="../console/models/listener_model.cpp" line="193"/>
        <source>%1: nothing</source>
        <translation>%1: nichts</translation>
    </message>
    <message>
        <location filename="../console/models/listener_model.cpp" line="194"/>
        <location filename="../console/models/listener_model.cpp" line="295"/>
        <location filename="../console/models/listener_model.cpp" line="307"/>
        <location filename="../console/models/listener_model.cpp" line="314"/>
        <location filename="../console/models/limit_model.cpp" line="44"/>
        <location filename="../console/models/limit_model.cpp" line="249"/>
        <source>, </source>
        <translation>, </translation>
    </message>
    <message>
        <location filename="../console/models/listener_model.cpp" line="198"/>
        <source>(pruned: %1 datagrams)</source>
        <translation>(zurückgehalten: %1 Datagramme)</translation>
    </message>
    <message>
        <location filename="../console/models/listener_model.cpp" line="208"/>
        <source>Listeners: unknown (%1)</source>
        <translation>Empfänger: unbekannt (%1)</translation>
    </message>
    <message>
        <location filename="../console/models/listener_model.cpp" line="210"/>
        <location filename="../console/models/limit_model.cpp" line="249"/>
        <source>none</source>
        <translation>keine</translation>
    </message>
    <message>
        <location filename="../console/models/listener_model.cpp" line="212"/>
        <source>Listeners, as node %1 sees them (querier: %2):</source>
        <translation>Empfänger, wie Knoten %1 sie sieht (Querier: %2):</translation>
    </message>
    <message>
        <location filename="../console/models/listener_model.cpp" line="213"/>
        <source>Listeners, as node %1 snoops them (querier: %2):</source>
        <translation>Empfänger, wie Knoten %1 sie mithört (Querier: %2):</translation>
    </message>
    <message>
        <location filename="../console/models/listener_model.cpp" line="216"/>
        <source>  no group wanted</source>
        <translation>  keine Gruppe gewünscht</translation>
    </message>
    <message>
        <location filename="../console/models/listener_model.cpp" line="218"/>
        <location filename="../console/models/limit_model.cpp" line="31"/>
        <location filename="../console/models/limit_model.cpp" line="205"/>
        <location filename="../console/models/limit_model.cpp" line="281"/>
        <source>unknown</source>
        <translation>unbekannt</translation>
    </message>
    <message>
        <location filename="../console/models/listener_model.cpp" line="220"/>
        <source>  %1 for %2</source>
        <translation>  %1 seit %2</translation>
    </message>
    <message>
        <location filename="../console/models/listener_model.cpp" line="222"/>
        <source>  %1 for %2, 1 reporter</source>
        <translation>  %1 seit %2, 1 Melder</translation>
    </message>
    <message>
        <location filename="../console/models/listener_model.cpp" line="224"/>
        <source>  %1 for %2, %3 reporters</source>
        <translation>  %1 seit %2, %3 Melder</translation>
    </message>
    <message>
        <location filename="../console/models/listener_model.cpp" line="293"/>
        <source>%1: these tunnels&apos; far ends have not said what they want yet, so everything goes in</source>
        <translation>%1: die fernen Enden dieser Tunnel haben noch nicht gesagt, was sie wollen, also geht alles hinein</translation>
    </message>
    <message>
        <location filename="../console/models/listener_model.cpp" line="306"/>
        <source>none (only passing through)</source>
        <translation>keine (nur auf der Durchreise)</translation>
    </message>
    <message>
        <location filename="../console/models/listener_model.cpp" line="313"/>
        <source>%1 (floods)</source>
        <translation>%1 (flutet)</translation>
    </message>
    <message>
        <location filename="../console/models/listener_model.cpp" line="314"/>
        <source>no tunnel carries it</source>
        <translation>kein Tunnel trägt sie</translation>
    </message>
    <message>
        <location filename="../console/models/listener_model.cpp" line="327"/>
        <source>Group</source>
        <translation>Gruppe</translation>
    </message>
    <message>
        <location filename="../console/models/listener_model.cpp" line="329"/>
        <source>Listening networks</source>
        <translation>Empfangende Netze</translation>
    </message>
    <message>
        <location filename="../console/models/listener_model.cpp" line="331"/>
        <source>Path (tunnels)</source>
        <translation>Weg (Tunnel)</translation>
    </message>
    <message>
        <location filename="../console/models/limit_model.cpp" line="37"/>
        <location filename="../console/models/limit_model.cpp" line="44"/>
        <source>unlimited</source>
        <translation>unbegrenzt</translation>
    </message>
    <message>
        <location filename="../console/models/limit_model.cpp" line="41"/>
        <source>%1/s (burst %2)</source>
        <translation>%1/s (Burst %2)</translation>
    </message>
    <message>
        <location filename="../console/models/limit_model.cpp" line="43"/>
        <source>%1 datagrams/s (burst %2)</source>
        <translation>%1 Datagramme/s (Burst %2)</translation>
    </message>
    <message>
        <location filename="../console/models/limit_model.cpp" line="58"/>
        <source>%1 B</source>
        <translation>%1 B</translation>
    </message>
    <message>
        <location filename="../console/models/limit_model.cpp" line="60"/>
        <source>%1 kB</source>
        <translation>%1 kB</translation>
    </message>
    <message>
        <location filename="../console/models/limit_model.cpp" line="62"/>
        <source>%1 MB</source>
        <translation>%1 MB</translation>
    </message>
    <message>
        <location filename="../console/models/limit_model.cpp" line="63"/>
        <source>%1 GB</source>
        <translation>%1 GB</translation>
    </message>
    <message>
        <location filename="../console/models/limit_model.cpp" line="68"/>
        <location filename="../console/models/limit_model.cpp" line="69"/>
        <source>%1/s</source>
        <translation>%1/s</translation>
    </message>
    <message>
        <location filename="../console/models/limit_model.cpp" line="186"/>
        <source>%1 dropped</source>
        <translation>%1 verworfen</translation>
    </message>
    <message>
        <location filename="../console/models/limit_model.cpp" line="207"/>
        <source>%1: the rate limit (%2) dropped nothing</source>
        <translation>%1: die Ratenbegrenzung (%2) hat nichts verworfen</translation>
    </message>
    <message>
        <location filename="../console/models/limit_model.cpp" line="209"/>
        <source>%1: the rate limit (%2) dropped %3 datagrams (%4)</source>
        <translation>%1: die Ratenbegrenzung (%2) hat %3 Datagramme verworfen (%4)</translation>
    </message>
    <message>
        <location filename="../console/models/limit_model.cpp" line="214"/>
        <source>— dropping now: %1</source>
        <translation>— verwirft gerade: %1</translation>
    </message>
    <message>
        <location filename="../console/models/limit_model.cpp" line="229"/>
        <source>  %1: rate limit %2, boundary %3, below threshold %4</source>
        <translation>  %1: Ratenbegrenzung %2, Grenze %3, unter der Schwelle %4</translation>
    </message>
    <message>
        <location filename="../console/models/limit_model.cpp" line="234"/>
        <source>(dropping now: %1)</source>
        <translation>(verwirft gerade: %1)</translation>
    </message>
    <message>
        <location filename="../console/models/limit_model.cpp" line="238"/>
        <source>Dropped at ingest, by channel range:</source>
        <translation>Bei der Aufnahme verworfen, nach Kanalbereich:</translation>
    </message>
    <message>
        <location filename="../console/models/limit_model.cpp" line="240"/>
        <source>Limits: per tunnel %1; per channel range %2; threshold %3</source>
        <translation>Grenzen: je Tunnel %1; je Kanalbereich %2; Schwelle %3</translation>
    </message>
    <message>
        <location filename="../console/models/limit_model.cpp" line="247"/>
        <source>%1 on %2</source>
        <translation>%1 auf %2</translation>
    </message>
    <message>
        <location filename="../console/models/limit_model.cpp" line="248"/>
        <source>Boundaries: %1</source>
        <translation>Grenzen der Gruppen: %1</translation>
    </message>
    <message>
        <location filename="../console/models/limit_model.cpp" line="260"/>
        <source>%1 at node %2</source>
        <translation>%1 auf Knoten %2</translation>
    </message>
    <message>
        <location filename="../console/models/limit_model.cpp" line="284"/>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
    <message>
        <location filename="../console/models/limit_model.cpp" line="293"/>
        <source>The agent of node %1 does not report its limits</source>
        <translation>Der Agent von Knoten %1 meldet seine Grenzen nicht</translation>
    </message>
    <message>
        <location filename="../console/models/limit_model.cpp" line="295"/>
        <source>The rate limit of each tunnel at node %1: %2</source>
        <translation>Die Ratenbegrenzung jedes Tunnels auf Knoten %1: %2</translation>
    </message>
    <message>
        <location filename="../console/models/limit_model.cpp" line="297"/>
        <source>The rate limit of each channel range at node %1: %2</source>
        <translation>Die Ratenbegrenzung jedes Kanalbereichs auf Knoten %1: %2</translation>
    </message>
    <message>
        <location filename="../console/models/limit_model.cpp" line="365"/>
        <source>What node %1 kept out of its tunnel to node %2</source>
        <translation>Was Knoten %1 aus seinem Tunnel zu Knoten %2 heraushielt</translation>
    </message>
    <message>
        <location filename="../console/models/limit_model.cpp" line="367"/>
        <source>What node %1 did not take in of the channel range %2</source>
        <translation>Was Knoten %1 vom Kanalbereich %2 nicht aufnahm</translation>
    </message>
    <message>
        <location filename="../console/models/limit_model.cpp" line="373"/>
        <source>Boundaries and the threshold act where a datagram is heard, before any tunnel: see the channel ranges</source>
        <translation>Grenzen und Schwelle wirken dort, wo ein Datagramm empfangen wird, vor jedem Tunnel: siehe die Kanalbereiche</translation>
    </message>
    <message>
        <location filename="../console/models/limit_model.cpp" line="377"/>
        <source>%1 dropped since node %2&apos;s previous answer</source>
        <translation>%1 verworfen seit der vorigen Antwort von Knoten %2</translation>
    </message>
    <message>
        <location filename="../console/models/limit_model.cpp" line="380"/>
        <source>Known after node %1&apos;s next answer</source>
        <translation>Bekannt nach der nächsten Antwort von Knoten %1</translation>
    </message>
    <message>
        <location filename="../console/models/limit_model.cpp" line="427"/>
        <source>▲ %1</source>
        <translation>▲ %1</translation>
    </message>
    <message>
        <location filename="../console/models/limit_model.cpp" line="440"/>
        <source>Datagrams (and their payload bytes) over the token bucket of the tunnel or the channel range</source>
        <translation>Datagramme (und ihre Nutzdaten-Bytes) über dem Token-Bucket des Tunnels oder des Kanalbereichs</translation>
    </message>
    <message>
        <location filename="../console/models/limit_model.cpp" line="443"/>
        <source>Datagrams of a group bounded on the network they were heard on (relay.boundaries, relay.network_boundaries)</source>
        <translation>Datagramme einer Gruppe, die auf dem Netz, auf dem sie empfangen wurden, begrenzt ist (relay.boundaries, relay.network_boundaries)</translation>
    </message>
    <message>
        <location filename="../console/models/limit_model.cpp" line="446"/>
        <source>Datagrams heard with an IP TTL below relay.threshold</source>
        <translation>Datagramme, die mit einer IP-TTL unter relay.threshold empfangen wurden</translation>
    </message>
    <message>
        <location filename="../console/models/limit_model.cpp" line="448"/>
        <source>Drops per second between the node&apos;s last two answers</source>
        <translation>Verworfene pro Sekunde zwischen den letzten beiden Antworten des Knotens</translation>
    </message>
    <message>
        <location filename="../console/models/limit_model.cpp" line="457"/>
        <source>Tunnel or channel range</source>
        <translation>Tunnel oder Kanalbereich</translation>
    </message>
    <message>
        <location filename="../console/models/limit_model.cpp" line="459"/>
        <source>Node</source>
        <translation>Knoten</translation>
    </message>
    <message>
        <location filename="../console/models/limit_model.cpp" line="461"/>
        <source>Rate limit</source>
        <translation>Ratenbegrenzung</translation>
    </message>
    <message>
        <location filename="../console/models/limit_model.cpp" line="463"/>
        <source>Boundary</source>
        <translation>Grenze</translation>
    </message>
    <message>
        <location filename="../console/models/limit_model.cpp" line="465"/>
        <source>Below threshold</source>
        <translation>Unter der Schwelle</translation>
    </message>
    <message>
        <location filename="../console/models/limit_model.cpp" line="467"/>
        <source>Now</source>
        <translation>Jetzt</translation>
    </message>
</context>
<context>
    <name>dmr::console::AgentClient</name>
    <message>
        <location filename="../console/client/agent_client.cpp" line="99"/>
        <source>could not connect to %1 within %2 ms</source>
        <translation>Verbindung zu %1 nicht innerhalb von %2 ms möglich</translation>
    </message>
    <message>
        <location filename="../console/client/agent_client.cpp" line="105"/>
        <source>agent at %1 did not answer within %2 ms</source>
        <translation>Agent unter %1 hat nicht innerhalb von %2 ms geantwortet</translation>
    </message>
    <message>
        <location filename="../console/client/agent_client.cpp" line="166"/>
        <source>restarted</source>
        <translation>neu gestartet</translation>
    </message>
    <message>
        <location filename="../console/client/agent_client.cpp" line="180"/>
        <source>the console disconnected</source>
        <translation>die Konsole hat die Verbindung getrennt</translation>
    </message>
    <message>
        <location filename="../console/client/agent_client.cpp" line="192"/>
        <source>no agent address to connect to</source>
        <translation>keine Agent-Adresse zum Verbinden</translation>
    </message>
    <message>
        <location filename="../console/client/agent_client.cpp" line="205"/>
        <source>cannot speak TLS to %1: %2</source>
        <translation>kann mit %1 kein TLS sprechen: %2</translation>
    </message>
    <message>
        <location filename="../console/client/agent_client.cpp" line="237"/>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <location filename="../console/client/agent_client.cpp" line="248"/>
        <location filename="../console/client/agent_client.cpp" line="260"/>
        <source>%1: no PEM certificate in it</source>
        <translation>%1: enthält kein PEM-Zertifikat</translation>
    </message>
    <message>
        <location filename="../console/client/agent_client.cpp" line="270"/>
        <source>%1: no PEM private key (EC or RSA) in it</source>
        <translation>%1: enthält keinen privaten PEM-Schlüssel (EC oder RSA)</translation>
    </message>
    <message>
        <location filename="../console/client/agent_client.cpp" line="320"/>
        <source>the connection to the agent closed before it answered (%1); the drill may have been carried out</source>
        <translation>die Verbindung zum Agenten wurde vor der Antwort geschlossen (%1); die Übung wurde möglicherweise ausgeführt</translation>
    </message>
    <message>
        <location filename="../console/client/agent_client.cpp" line="356"/>
        <source>lost the agent at %1: %2</source>
        <translation>Agent unter %1 verloren: %2</translation>
    </message>
    <message>
        <location filename="../console/client/agent_client.cpp" line="357"/>
        <source>could not connect to %1: %2</source>
        <translation>Verbindung zu %1 fehlgeschlagen: %2</translation>
    </message>
    <message>
        <location filename="../console/client/agent_client.cpp" line="388"/>
        <location filename="../console/client/agent_client.cpp" line="441"/>
        <location filename="../console/client/agent_client.cpp" line="510"/>
        <location filename="../console/client/agent_client.cpp" line="518"/>
        <location filename="../console/client/agent_client.cpp" line="531"/>
        <location filename="../console/client/agent_client.cpp" line="534"/>
        <location filename="../console/client/agent_client.cpp" line="556"/>
        <location filename="../console/client/agent_client.cpp" line="565"/>
        <location filename="../console/client/agent_client.cpp" line="692"/>
        <source>agent at %1: %2</source>
        <translation>Agent unter %1: %2</translation>
    </message>
    <message>
        <location filename="../console/client/agent_client.cpp" line="401"/>
        <source>agent at %1 sent a line that is not JSON (%2 at offset %3): %4</source>
        <translation>Agent unter %1 hat eine Zeile gesendet, die kein JSON ist (%2 bei Position %3): %4</translation>
    </message>
    <message>
        <location filename="../console/client/agent_client.cpp" line="406"/>
        <source>agent at %1 sent a line that is not a JSON object: %2</source>
        <translation>Agent unter %1 hat eine Zeile gesendet, die kein JSON-Objekt ist: %2</translation>
    </message>
    <message>
        <location filename="../console/client/agent_client.cpp" line="414"/>
        <source>agent at %1 sent a bad event: %2</source>
        <translation>Agent unter %1 hat ein fehlerhaftes Ereignis gesendet: %2</translation>
    </message>
    <message>
        <location filename="../console/client/agent_client.cpp" line="431"/>
        <source>agent at %1 sent a message of unknown type: %2</source>
        <translation>Agent unter %1 hat eine Nachricht unbekannten Typs gesendet: %2</translation>
    </message>
    <message>
        <location filename="../console/client/agent_client.cpp" line="443"/>
        <source>agent at %1 sent a reply without an id: %2</source>
        <translation>Agent unter %1 hat eine Antwort ohne ID gesendet: %2</translation>
    </message>
    <message>
        <location filename="../console/client/agent_client.cpp" line="449"/>
        <source>agent at %1 answered a request this console did not send: %2</source>
        <translation>Agent unter %1 hat auf eine Anfrage geantwortet, die diese Konsole nicht gesendet hat: %2</translation>
    </message>
    <message>
        <location filename="../console/client/agent_client.cpp" line="480"/>
        <source>agent at %1 refused the hello: %2</source>
        <translation>Agent unter %1 hat die Begrüßung abgelehnt: %2</translation>
    </message>
    <message>
        <location filename="../console/client/agent_client.cpp" line="542"/>
        <source>agent at %1 sent a reply without a result object</source>
        <translation>Agent unter %1 hat eine Antwort ohne Ergebnisobjekt gesendet</translation>
    </message>
    <message>
        <location filename="../console/client/agent_client.cpp" line="663"/>
        <source>the agent carried out the drill, but its record is unreadable: %1</source>
        <translation>der Agent hat die Übung ausgeführt, aber ihr Protokoll ist unlesbar: %1</translation>
    </message>
    <message>
        <location filename="../console/client/agent_client.cpp" line="674"/>
        <source>%1: carried out (drill %2)</source>
        <translation>%1: ausgeführt (Übung %2)</translation>
    </message>
    <message>
        <location filename="../console/client/agent_client.cpp" line="675"/>
        <source>%1: carried out by agent %2 (drill %3)</source>
        <translation>%1: von Agent %2 ausgeführt (Übung %3)</translation>
    </message>
    <message>
        <location filename="../console/client/agent_client.cpp" line="707"/>
        <source>agent %1 at %2 is not in the cluster (view %3); moving to another agent</source>
        <translation>Agent %1 unter %2 ist nicht im Cluster (Sicht %3); wechsle zu einem anderen Agenten</translation>
    </message>
    <message>
        <location filename="../console/client/agent_client.cpp" line="875"/>
        <source>unknown drill action &quot;%1&quot;; expected kill, fail-adapter, drain or restore</source>
        <translation>unbekannte Übungsaktion „%1“; erwartet: kill, fail-adapter, drain oder restore</translation>
    </message>
    <message>
        <location filename="../console/client/agent_client.cpp" line="879"/>
        <source>not connected to an agent</source>
        <translation>nicht mit einem Agenten verbunden</translation>
    </message>
</context>
<context>
    <name>dmr::console::DrillDialog</name>
    <message>
        <location filename="../console/drilldialog.cpp" line="34"/>
        <source>system leader</source>
        <translation>Systemleiter</translation>
    </message>
    <message>
        <location filename="../console/drilldialog.cpp" line="36"/>
        <source>leader of %1</source>
        <translation>Leiter von %1</translation>
    </message>
    <message>
        <location filename="../console/drilldialog.cpp" line="38"/>
        <source>member</source>
        <translation>Mitglied</translation>
    </message>
    <message>
        <location filename="../console/drilldialog.cpp" line="105"/>
        <source>Tunnel %1 ⇄ %2 opens.</source>
        <translation>Tunnel %1 ⇄ %2 wird geöffnet.</translation>
    </message>
    <message>
        <location filename="../console/drilldialog.cpp" line="108"/>
        <source>Tunnel %1 ⇄ %2 closes.</source>
        <translation>Tunnel %1 ⇄ %2 wird geschlossen.</translation>
    </message>
    <message>
        <location filename="../console/drilldialog.cpp" line="110"/>
        <source>Nothing moves: %1 comes back and joins its groups at the end.</source>
        <translation>Nichts ändert sich: %1 kehrt zurück und tritt seinen Gruppen am Ende bei.</translation>
    </message>
    <message>
        <location filename="../console/drilldialog.cpp" line="67"/>
        <source>%1 has no adapter %2.</source>
        <translation>%1 hat keinen Adapter %2.</translation>
    </message>
    <message>
        <location filename="../console/drilldialog.cpp" line="45"/>
        <source>Kill node %1</source>
        <translation>Knoten %1 beenden</translation>
    </message>
    <message>
        <location filename="../console/drilldialog.cpp" line="47"/>
        <source>Drain node %1</source>
        <translation>Knoten %1 entleeren</translation>
    </message>
    <message>
        <location filename="../console/drilldialog.cpp" line="49"/>
        <source>Fail adapter %1 of node %2</source>
        <translation>Adapter %1 an Knoten %2 ausfallen lassen</translation>
    </message>
    <message>
        <location filename="../console/drilldialog.cpp" line="51"/>
        <source>Restore node %1</source>
        <translation>Knoten %1 wiederherstellen</translation>
    </message>
    <message>
        <location filename="../console/drilldialog.cpp" line="52"/>
        <source>Restore adapter %1 of node %2</source>
        <translation>Adapter %1 an Knoten %2 wiederherstellen</translation>
    </message>
    <message>
        <location filename="../console/drilldialog.cpp" line="53"/>
        <source>%1 node %2</source>
        <translation>Knoten %2: %1</translation>
    </message>
    <message>
        <location filename="../console/drilldialog.cpp" line="70"/>
        <source>%1 leaves network %2 (adapter %3).</source>
        <translation>%1 verlässt Netz %2 (Adapter %3).</translation>
    </message>
    <message>
        <location filename="../console/drilldialog.cpp" line="74"/>
        <source>Cannot tell: %1</source>
        <translation>Nicht zu sagen: %1</translation>
    </message>
    <message>
        <location filename="../console/drilldialog.cpp" line="85"/>
        <source>%1: loses its leader %2; nobody takes over.</source>
        <translation>%1: verliert seinen Leiter %2; niemand übernimmt.</translation>
    </message>
    <message>
        <location filename="../console/drilldialog.cpp" line="86"/>
        <source>%1: leader %2 → %3</source>
        <translation>%1: Leiter %2 → %3</translation>
    </message>
    <message>
        <location filename="../console/drilldialog.cpp" line="90"/>
        <source>%1: gets a leader again, %2</source>
        <translation>%1: bekommt wieder einen Leiter, %2</translation>
    </message>
    <message>
        <location filename="../console/drilldialog.cpp" line="92"/>
        <source>nobody</source>
        <translation>niemand</translation>
    </message>
    <message>
        <location filename="../console/drilldialog.cpp" line="94"/>
        <source>System leader %1: nobody takes over.</source>
        <translation>Systemleiter %1: niemand übernimmt.</translation>
    </message>
    <message>
        <location filename="../console/drilldialog.cpp" line="129"/>
        <source>Drill: %1</source>
        <translation>Übung: %1</translation>
    </message>
    <message>
        <location filename="../console/drilldialog.cpp" line="134"/>
        <source>What will move (the planner&apos;s answer, drawn over the topology):</source>
        <translation>Was sich ändert (die Antwort des Planers, über die Topologie gezeichnet):</translation>
    </message>
    <message>
        <location filename="../console/drilldialog.cpp" line="93"/>
        <source>System leader: %1 → %2</source>
        <translation>Systemleiter: %1 → %2</translation>
    </message>
    <message>
        <location filename="../console/drilldialog.cpp" line="112"/>
        <source>No roles move: %1 leads nothing.</source>
        <translation>Keine Rollen wechseln: %1 leitet nichts.</translation>
    </message>
    <message>
        <location filename="../console/drilldialog.cpp" line="133"/>
        <source>Roles: %1</source>
        <translation>Rollen: %1</translation>
    </message>
    <message>
        <location filename="../console/drilldialog.cpp" line="133"/>
        <source>, </source>
        <translation>, </translation>
    </message>
    <message>
        <location filename="../console/drilldialog.cpp" line="143"/>
        <source>Why (required): shown in the audit trail</source>
        <translation>Grund (erforderlich): erscheint im Prüfprotokoll</translation>
    </message>
    <message>
        <location filename="../console/drilldialog.cpp" line="148"/>
        <source> s</source>
        <translation> s</translation>
    </message>
    <message>
        <location filename="../console/drilldialog.cpp" line="149"/>
        <source>until restored</source>
        <translation>bis zur Wiederherstellung</translation>
    </message>
    <message>
        <location filename="../console/drilldialog.cpp" line="153"/>
        <source>&amp;Reason:</source>
        <translation>&amp;Begründung:</translation>
    </message>
    <message>
        <location filename="../console/drilldialog.cpp" line="154"/>
        <source>&amp;Duration:</source>
        <translation>&amp;Dauer:</translation>
    </message>
    <message>
        <location filename="../console/drilldialog.cpp" line="159"/>
        <source>Run drill</source>
        <translation>Übung starten</translation>
    </message>
</context>
<context>
    <name>dmr::console::DrillModel</name>
    <message>
        <location filename="../console/models/drill_model.cpp" line="128"/>
        <source>until a restore</source>
        <translation>bis zur Wiederherstellung</translation>
    </message>
    <message>
        <location filename="../console/models/drill_model.cpp" line="130"/>
        <source>in force</source>
        <translation>aktiv</translation>
    </message>
    <message>
        <location filename="../console/models/drill_model.cpp" line="132"/>
        <source>forwarded by agent %1</source>
        <translation>weitergeleitet von Agent %1</translation>
    </message>
    <message>
        <location filename="../console/models/drill_model.cpp" line="169"/>
        <source>Started</source>
        <translation>Beginn</translation>
    </message>
    <message>
        <location filename="../console/models/drill_model.cpp" line="171"/>
        <source>Action</source>
        <translation>Aktion</translation>
    </message>
    <message>
        <location filename="../console/models/drill_model.cpp" line="173"/>
        <source>Node</source>
        <translation>Knoten</translation>
    </message>
    <message>
        <location filename="../console/models/drill_model.cpp" line="175"/>
        <source>Interface</source>
        <translation>Schnittstelle</translation>
    </message>
    <message>
        <location filename="../console/models/drill_model.cpp" line="177"/>
        <source>Reason</source>
        <translation>Begründung</translation>
    </message>
    <message>
        <location filename="../console/models/drill_model.cpp" line="179"/>
        <source>Client</source>
        <translation>Client</translation>
    </message>
    <message>
        <location filename="../console/models/drill_model.cpp" line="181"/>
        <source>Duration (ms)</source>
        <translation>Dauer (ms)</translation>
    </message>
    <message>
        <location filename="../console/models/drill_model.cpp" line="183"/>
        <source>Ended</source>
        <translation>Ende</translation>
    </message>
    <message>
        <location filename="../console/models/drill_model.cpp" line="185"/>
        <source>Via</source>
        <translation>Über</translation>
    </message>
</context>
<context>
    <name>dmr::console::EventLogModel</name>
    <message>
        <location filename="../console/models/event_log_model.cpp" line="121"/>
        <source>view changed</source>
        <translation>Sicht geändert</translation>
    </message>
    <message>
        <location filename="../console/models/event_log_model.cpp" line="123"/>
        <source>plan changed</source>
        <translation>Plan geändert</translation>
    </message>
    <message>
        <location filename="../console/models/event_log_model.cpp" line="125"/>
        <source>failover</source>
        <translation>Failover</translation>
    </message>
    <message>
        <location filename="../console/models/event_log_model.cpp" line="127"/>
        <source>drill</source>
        <translation>Übung</translation>
    </message>
    <message>
        <location filename="../console/models/event_log_model.cpp" line="155"/>
        <source>%1, reported by agent %2</source>
        <translation>%1, gemeldet von Agent %2</translation>
    </message>
    <message>
        <location filename="../console/models/event_log_model.cpp" line="202"/>
        <source>Time</source>
        <translation>Zeit</translation>
    </message>
    <message>
        <location filename="../console/models/event_log_model.cpp" line="204"/>
        <source>Event</source>
        <translation>Ereignis</translation>
    </message>
    <message>
        <location filename="../console/models/event_log_model.cpp" line="206"/>
        <source>Summary</source>
        <translation>Zusammenfassung</translation>
    </message>
</context>
<context>
    <name>dmr::console::GroupModel</name>
    <message>
        <location filename="../console/models/group_model.cpp" line="218"/>
        <source>none</source>
        <translation>keine</translation>
    </message>
    <message>
        <location filename="../console/models/group_model.cpp" line="227"/>
        <source>The group of group leaders; its first member is the system leader</source>
        <translation>Die Gruppe der Gruppenleiter; ihr erstes Mitglied ist der Systemleiter</translation>
    </message>
    <message>
        <location filename="../console/models/group_model.cpp" line="229"/>
        <source>%1 has no members: nobody routes it</source>
        <translation>%1 hat keine Mitglieder: niemand routet es</translation>
    </message>
    <message>
        <location filename="../console/models/group_model.cpp" line="230"/>
        <source>%1 is routed by node %2</source>
        <translation>%1 wird von Knoten %2 geroutet</translation>
    </message>
    <message>
        <location filename="../console/models/group_model.cpp" line="274"/>
        <source>system leader</source>
        <translation>Systemleiter</translation>
    </message>
    <message>
        <location filename="../console/models/group_model.cpp" line="274"/>
        <source>leader</source>
        <translation>Leiter</translation>
    </message>
    <message>
        <location filename="../console/models/group_model.cpp" line="318"/>
        <source>Group / member</source>
        <translation>Gruppe / Mitglied</translation>
    </message>
    <message>
        <location filename="../console/models/group_model.cpp" line="320"/>
        <source>Leader</source>
        <translation>Leiter</translation>
    </message>
    <message>
        <location filename="../console/models/group_model.cpp" line="322"/>
        <source>Interface</source>
        <translation>Schnittstelle</translation>
    </message>
    <message>
        <location filename="../console/models/group_model.cpp" line="324"/>
        <source>Join seq</source>
        <translation>Beitrittsfolge</translation>
    </message>
</context>
<context>
    <name>dmr::console::HistoryModel</name>
    <message>
        <location filename="../console/models/history_model.cpp" line="169"/>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <location filename="../console/models/history_model.cpp" line="170"/>
        <source>nobody</source>
        <translation>niemand</translation>
    </message>
    <message>
        <location filename="../console/models/history_model.cpp" line="218"/>
        <source>waiting for the new routing points to report their tunnels up</source>
        <translation>warte, bis die neuen Routingpunkte ihre Tunnel als aktiv melden</translation>
    </message>
    <message>
        <location filename="../console/models/history_model.cpp" line="194"/>
        <source>failed %1 (recorded by agent %2)
detected %3
new plan %4 (view %5)
tunnels up %6</source>
        <translation>ausgefallen %1 (aufgezeichnet von Agent %2)
erkannt %3
neuer Plan %4 (Sicht %5)
Tunnel aktiv %6</translation>
    </message>
    <message>
        <location filename="../console/models/history_model.cpp" line="196"/>
        <source>?</source>
        <translation>?</translation>
    </message>
    <message>
        <location filename="../console/models/history_model.cpp" line="198"/>
        <source>not yet</source>
        <translation>noch nicht</translation>
    </message>
    <message>
        <location filename="../console/models/history_model.cpp" line="200"/>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
    <message>
        <location filename="../console/models/history_model.cpp" line="206"/>
        <source>from when node %1 was last heard to when it was declared failed (silent for %2 ms)</source>
        <translation>von der letzten Nachricht von Knoten %1 bis zur Erklärung als ausgefallen (%2 ms stumm)</translation>
    </message>
    <message>
        <location filename="../console/models/history_model.cpp" line="210"/>
        <source>from the failure to the first survivor noticing it (the last heartbeat had come %1 ms before)</source>
        <translation>vom Ausfall bis zum ersten Überlebenden, der ihn bemerkt (der letzte Heartbeat kam %1 ms vorher)</translation>
    </message>
    <message>
        <location filename="../console/models/history_model.cpp" line="214"/>
        <source>from detection to the new plan</source>
        <translation>von der Erkennung bis zum neuen Plan</translation>
    </message>
    <message>
        <location filename="../console/models/history_model.cpp" line="220"/>
        <source>from the new plan to the last new tunnel up</source>
        <translation>vom neuen Plan bis zum letzten neuen aktiven Tunnel</translation>
    </message>
    <message>
        <location filename="../console/models/history_model.cpp" line="222"/>
        <source>from the failure to the last new tunnel up: the whole outage (agents&apos; clocks %1 ms apart)</source>
        <translation>vom Ausfall bis zum letzten neuen aktiven Tunnel: der ganze Ausfall (Uhren der Agenten %1 ms auseinander)</translation>
    </message>
    <message>
        <location filename="../console/models/history_model.cpp" line="225"/>
        <source>from the failure to the last new tunnel up: the whole outage</source>
        <translation>vom Ausfall bis zum letzten neuen aktiven Tunnel: der ganze Ausfall</translation>
    </message>
    <message>
        <location filename="../console/models/history_model.cpp" line="269"/>
        <source>Failed</source>
        <translation>Ausgefallen</translation>
    </message>
    <message>
        <location filename="../console/models/history_model.cpp" line="271"/>
        <source>Node</source>
        <translation>Knoten</translation>
    </message>
    <message>
        <location filename="../console/models/history_model.cpp" line="273"/>
        <source>Cause</source>
        <translation>Ursache</translation>
    </message>
    <message>
        <location filename="../console/models/history_model.cpp" line="275"/>
        <source>Roles lost</source>
        <translation>Verlorene Rollen</translation>
    </message>
    <message>
        <location filename="../console/models/history_model.cpp" line="277"/>
        <source>Successors</source>
        <translation>Nachfolger</translation>
    </message>
    <message>
        <location filename="../console/models/history_model.cpp" line="279"/>
        <source>Detection (ms)</source>
        <translation>Erkennung (ms)</translation>
    </message>
    <message>
        <location filename="../console/models/history_model.cpp" line="281"/>
        <source>Election (ms)</source>
        <translation>Wahl (ms)</translation>
    </message>
    <message>
        <location filename="../console/models/history_model.cpp" line="283"/>
        <source>Tunnels (ms)</source>
        <translation>Tunnel (ms)</translation>
    </message>
    <message>
        <location filename="../console/models/history_model.cpp" line="285"/>
        <source>Total (ms)</source>
        <translation>Gesamt (ms)</translation>
    </message>
</context>
<context>
    <name>dmr::console::MainWindow</name>
    <message>
        <location filename="../console/mainwindow.cpp" line="131"/>
        <source>no snapshot to export yet</source>
        <translation>noch kein Schnappschuss zum Exportieren</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="136"/>
        <source>%1: unknown format (use .png, .svg, .json or .dot)</source>
        <translation>%1: unbekanntes Format (.png, .svg, .json oder .dot verwenden)</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="145"/>
        <source>&lt;i&gt;No node selected. Click a node in the topology.&lt;/i&gt;</source>
        <translation>&lt;i&gt;Kein Knoten ausgewählt. Klicken Sie auf einen Knoten in der Topologie.&lt;/i&gt;</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="146"/>
        <source>&lt;h3&gt;Node %1&lt;/h3&gt;</source>
        <translation>&lt;h3&gt;Knoten %1&lt;/h3&gt;</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="148"/>
        <source>&lt;p&gt;State: &lt;b&gt;%1&lt;/b&gt;&lt;/p&gt;</source>
        <translation>&lt;p&gt;Zustand: &lt;b&gt;%1&lt;/b&gt;&lt;/p&gt;</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="150"/>
        <source>&lt;p&gt;&lt;b&gt;Roles:&lt;/b&gt; %1&lt;/p&gt;</source>
        <translation>&lt;p&gt;&lt;b&gt;Rollen:&lt;/b&gt; %1&lt;/p&gt;</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="151"/>
        <location filename="../console/mainwindow.cpp" line="203"/>
        <location filename="../console/mainwindow.cpp" line="606"/>
        <source>, </source>
        <translation>, </translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="153"/>
        <source>&lt;p&gt;&lt;b&gt;Interfaces:&lt;/b&gt;&lt;/p&gt;&lt;ul&gt;</source>
        <translation>&lt;p&gt;&lt;b&gt;Schnittstellen:&lt;/b&gt;&lt;/p&gt;&lt;ul&gt;</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="160"/>
        <source> (failed)</source>
        <translation> (ausgefallen)</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="165"/>
        <source>&lt;p&gt;&lt;b&gt;Groups&lt;/b&gt; (position in join order):&lt;/p&gt;&lt;ul&gt;</source>
        <translation>&lt;p&gt;&lt;b&gt;Gruppen&lt;/b&gt; (Position in der Beitrittsfolge):&lt;/p&gt;&lt;ul&gt;</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="169"/>
        <source>%1 of %2%3</source>
        <translation>%1 von %2%3</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="172"/>
        <source>, leader</source>
        <translation>, Leiter</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="188"/>
        <location filename="../console/mainwindow.cpp" line="207"/>
        <source>&lt;li&gt;none&lt;/li&gt;</source>
        <translation>&lt;li&gt;keine&lt;/li&gt;</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="192"/>
        <source>&lt;p&gt;&lt;b&gt;Tunnel ends:&lt;/b&gt;&lt;/p&gt;&lt;ul&gt;</source>
        <translation>&lt;p&gt;&lt;b&gt;Tunnelenden:&lt;/b&gt;&lt;/p&gt;&lt;ul&gt;</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="201"/>
        <source>%1 %2 ↔ node %3 %4 %5 (%6)</source>
        <translation>%1 %2 ↔ Knoten %3 %4 %5 (%6)</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="220"/>
        <source>DMR console</source>
        <translation>DMR-Konsole</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="233"/>
        <source>DMR console — %1 (view %2)</source>
        <translation>DMR-Konsole — %1 (Sicht %2)</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="238"/>
        <source>Agent %1 no longer had every event since the last one shown: the event log has a gap</source>
        <translation>Agent %1 hatte nicht mehr alle Ereignisse seit dem zuletzt gezeigten: das Ereignisprotokoll hat eine Lücke</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="273"/>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="277"/>
        <source>Drill %1 done: %2</source>
        <translation>Übung %1 abgeschlossen: %2</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="278"/>
        <source>Drill %1 failed: %2</source>
        <translation>Übung %1 fehlgeschlagen: %2</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="330"/>
        <source>Node</source>
        <translation>Knoten</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="336"/>
        <source>Filter nodes: id, state, role, network, address</source>
        <translation>Knoten filtern: ID, Zustand, Rolle, Netz, Adresse</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="354"/>
        <source>Nodes</source>
        <translation>Knoten</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="365"/>
        <source>Filter events</source>
        <translation>Ereignisse filtern</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="385"/>
        <source>Events</source>
        <translation>Ereignisse</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="430"/>
        <source>Failovers</source>
        <translation>Failover</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="439"/>
        <source>Live</source>
        <translation>Live</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="441"/>
        <source>Show the live cluster (Esc)</source>
        <translation>Den Cluster live zeigen (Esc)</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="445"/>
        <location filename="../console/mainwindow.cpp" line="973"/>
        <source>Replay</source>
        <translation>Wiedergabe</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="452"/>
        <source>Replay the last hour&apos;s plan changes from the agents&apos; view logs</source>
        <translation>Die Planänderungen der letzten Stunde aus den Sichtprotokollen der Agenten wiedergeben</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="456"/>
        <source>%1×</source>
        <translation>%1×</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="458"/>
        <source>Replay speed (times real time)</source>
        <translation>Wiedergabegeschwindigkeit (mal Echtzeit)</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="463"/>
        <source>Fit</source>
        <translation>Einpassen</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="464"/>
        <source>Show the whole record (double click)</source>
        <translation>Die ganze Aufzeichnung zeigen (Doppelklick)</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="476"/>
        <source>Timeline</source>
        <translation>Zeitleiste</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="482"/>
        <source>Drills</source>
        <translation>Übungen</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="509"/>
        <source>Reachability</source>
        <translation>Erreichbarkeit</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="529"/>
        <source>Groups</source>
        <translation>Gruppen</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="552"/>
        <source>Limits</source>
        <translation>Grenzen</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="599"/>
        <source>No relay state yet: the routing points have not answered.</source>
        <translation>Noch kein Relay-Zustand: die Routing-Punkte haben nicht geantwortet.</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="601"/>
        <source>The limits dropped %1 datagrams in all; none is dropping now.</source>
        <translation>Die Grenzen haben insgesamt %1 Datagramme verworfen; keine verwirft gerade.</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="604"/>
        <source>The limits dropped %1 datagrams in all. Dropping now: %2.</source>
        <translation>Die Grenzen haben insgesamt %1 Datagramme verworfen. Verwirft gerade: %2.</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="610"/>
        <source>No listener data yet: the routing points have not answered, or their agents predate listening.</source>
        <translation>Noch keine Empfängerdaten: Die Routing-Punkte haben nicht geantwortet, oder ihre Agenten sind älter als das Mithören.</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="612"/>
        <source>Groups wanted somewhere: %1. Path: the tunnels each group goes into, by the word of the end that sends.</source>
        <translation>Irgendwo gewünschte Gruppen: %1. Weg: die Tunnel, in die jede Gruppe geht, nach Auskunft des sendenden Endes.</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="623"/>
        <source>No reachability data: the agent has no probe, or has not answered yet.</source>
        <translation>Keine Erreichbarkeitsdaten: der Agent hat keine Probe oder hat noch nicht geantwortet.</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="641"/>
        <source>%1 of %2 probing nodes hear every other one.</source>
        <translation>%1 von %2 prüfenden Knoten hören alle anderen.</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="643"/>
        <source>Not heard by anyone: %1.</source>
        <translation>Von niemandem gehört: %1.</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="649"/>
        <source>&amp;File</source>
        <translation>&amp;Datei</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="653"/>
        <source>&amp;Export…</source>
        <translation>&amp;Exportieren…</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="657"/>
        <source>&amp;Quit</source>
        <translation>&amp;Beenden</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="660"/>
        <source>&amp;View</source>
        <translation>&amp;Ansicht</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="661"/>
        <source>&amp;Fit</source>
        <translation>&amp;Einpassen</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="664"/>
        <source>Zoom &amp;in</source>
        <translation>Ver&amp;größern</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="667"/>
        <source>Zoom &amp;out</source>
        <translation>Ver&amp;kleinern</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="670"/>
        <source>&amp;Find node…</source>
        <translation>Knoten &amp;suchen…</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="674"/>
        <source>&amp;Legend</source>
        <translation>&amp;Legende</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="684"/>
        <source>&amp;Dark palette</source>
        <translation>&amp;Dunkle Farbpalette</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="692"/>
        <source>&amp;Panels</source>
        <translation>&amp;Bereiche</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="698"/>
        <source>&amp;Drill</source>
        <translation>Ü&amp;bung</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="720"/>
        <location filename="../console/mainwindow.cpp" line="768"/>
        <location filename="../console/mainwindow.cpp" line="812"/>
        <source>&amp;What if it fails?</source>
        <translation>&amp;Was, wenn er ausfällt?</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="725"/>
        <location filename="../console/mainwindow.cpp" line="814"/>
        <source>What if an &amp;adapter fails?</source>
        <translation>Was, wenn ein &amp;Adapter ausfällt?</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="729"/>
        <source>Drill on the selected node</source>
        <translation>Übung am ausgewählten Knoten</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="731"/>
        <source>Main</source>
        <translation>Haupt</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="862"/>
        <source>Drills need the operator token (control.operator_token of the agents; dmr-console --token or $DMR_TOKEN gives it at the start):</source>
        <translation>Übungen brauchen das Operator-Token (control.operator_token der Agenten; dmr-console --token oder $DMR_TOKEN gibt es beim Start an):</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="887"/>
        <source>Drill %1 sent: %2</source>
        <translation>Übung %1 gesendet: %2</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="903"/>
        <source>The plans around the failover of node %1 at %2 are no longer in the agents&apos; view logs (they keep an hour)</source>
        <translation>Die Pläne um den Failover von Knoten %1 um %2 sind nicht mehr in den Sichtprotokollen der Agenten (sie behalten eine Stunde)</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="915"/>
        <source>Failover of node %1 (%2) at %3: the plan after it, view %4 (Esc: live)</source>
        <translation>Failover von Knoten %1 (%2) um %3: der Plan danach, Sicht %4 (Esc: live)</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="922"/>
        <source>failover of node %1, after</source>
        <translation>Failover von Knoten %1, danach</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="943"/>
        <source>Replay: view %1 at %2 (Esc: live)</source>
        <translation>Wiedergabe: Sicht %1 um %2 (Esc: live)</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="948"/>
        <source>replay at %1</source>
        <translation>Wiedergabe um %1</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="956"/>
        <source>Nothing to replay yet: no agent has sent its view log</source>
        <translation>Noch nichts wiederzugeben: kein Agent hat sein Sichtprotokoll gesendet</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="966"/>
        <source>Pause</source>
        <translation>Pause</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="1001"/>
        <source>Showing: %1 — Esc for live</source>
        <translation>Angezeigt: %1 — Esc für live</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="1014"/>
        <source>cannot write %1: %2</source>
        <translation>%1 kann nicht geschrieben werden: %2</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="1024"/>
        <source>%1 → %2</source>
        <translation>%1 → %2</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="1024"/>
        <source>nobody</source>
        <translation>niemand</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="1025"/>
        <source>DMR: failover of node %1</source>
        <translation>DMR: Failover von Knoten %1</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="1027"/>
        <source>%1 at %2. %3</source>
        <translation>%1 um %2. %3</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="760"/>
        <location filename="../console/mainwindow.cpp" line="762"/>
        <location filename="../console/mainwindow.cpp" line="763"/>
        <location filename="../console/mainwindow.cpp" line="764"/>
        <location filename="../console/mainwindow.cpp" line="777"/>
        <location filename="../console/mainwindow.cpp" line="797"/>
        <source>Select a node first</source>
        <translation>Wählen Sie zuerst einen Knoten aus</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="800"/>
        <source>Node %1</source>
        <translation>Knoten %1</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="699"/>
        <location filename="../console/mainwindow.cpp" line="804"/>
        <source>&amp;Kill…</source>
        <translation>&amp;Beenden…</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="392"/>
        <source>Export CSV…</source>
        <translation>Als CSV exportieren…</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="394"/>
        <source>Export the failover history</source>
        <translation>Den Failover-Verlauf exportieren</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="395"/>
        <source>CSV (*.csv)</source>
        <translation>CSV (*.csv)</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="405"/>
        <source>Write every failover, with its phases, to a CSV file</source>
        <translation>Jeden Failover mit seinen Phasen in eine CSV-Datei schreiben</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="407"/>
        <source>Phases: detection (failure to the first survivor noticing), election (to the new plan), tunnels (to the last new tunnel up); total is the whole outage. Click a row to see the plan before and after.</source>
        <translation>Phasen: Erkennung (vom Ausfall bis zum ersten Überlebenden, der ihn bemerkt), Wahl (bis zum neuen Plan), Tunnel (bis zum letzten neuen aktiven Tunnel); Gesamt ist der ganze Ausfall. Eine Zeile anklicken zeigt den Plan davor und danach.</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="704"/>
        <location filename="../console/mainwindow.cpp" line="806"/>
        <source>Fail &amp;adapter</source>
        <translation>&amp;Adapter ausfallen lassen</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="760"/>
        <source>Kill node %1</source>
        <translation>Knoten %1 beenden</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="761"/>
        <source>Fail an adapter of node %1</source>
        <translation>Einen Adapter von Knoten %1 ausfallen lassen</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="763"/>
        <source>Drain node %1</source>
        <translation>Knoten %1 entleeren</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="764"/>
        <source>Restore node %1</source>
        <translation>Knoten %1 wiederherstellen</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="767"/>
        <source>&amp;What if node %1 fails?</source>
        <translation>&amp;Was, wenn Knoten %1 ausfällt?</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="782"/>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="709"/>
        <location filename="../console/mainwindow.cpp" line="807"/>
        <source>&amp;Drain…</source>
        <translation>&amp;Entleeren…</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="500"/>
        <source>Rows: the receiving node. Columns: the node whose probes it hears. Cells: the share of recent probes heard.</source>
        <translation>Zeilen: der empfangende Knoten. Spalten: der Knoten, dessen Proben er hört. Zellen: der Anteil gehörter jüngster Proben.</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="714"/>
        <location filename="../console/mainwindow.cpp" line="809"/>
        <source>&amp;Restore…</source>
        <translation>&amp;Wiederherstellen…</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="831"/>
        <source>What-if: %1</source>
        <translation>Was-wäre-wenn: %1</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="835"/>
        <source>What if node %1 is drained</source>
        <translation>Was, wenn Knoten %1 entleert wird</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="836"/>
        <source>What if node %1 fails</source>
        <translation>Was, wenn Knoten %1 ausfällt</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="837"/>
        <source>What if adapter %1 of node %2 fails</source>
        <translation>Was, wenn Adapter %1 an Knoten %2 ausfällt</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="839"/>
        <source>%1: the plan it would leave (Esc: back)</source>
        <translation>%1: der Plan, der bliebe (Esc: zurück)</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="861"/>
        <source>Operator token</source>
        <translation>Operator-Token</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="873"/>
        <source>Reconnecting with the operator token…</source>
        <translation>Verbinde erneut mit dem Operator-Token…</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="1061"/>
        <source>Find node</source>
        <translation>Knoten suchen</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="1061"/>
        <source>Node id or address:</source>
        <translation>Knoten-ID oder Adresse:</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="1067"/>
        <source>No node matches “%1”</source>
        <translation>Kein Knoten passt zu „%1“</translation>
    </message>
    <message numerus="yes">
        <location filename="../console/mainwindow.cpp" line="1072"/>
        <source>%n node(s) match</source>
        <translation>
            <numerusform>%n Knoten passt</numerusform>
            <numerusform>%n Knoten passen</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="1089"/>
        <source>&lt;p&gt;&lt;b&gt;Listeners&lt;/b&gt; on its networks:&lt;/p&gt;</source>
        <translation>&lt;p&gt;&lt;b&gt;Empfänger&lt;/b&gt; in seinen Netzen:&lt;/p&gt;</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="1104"/>
        <source>&lt;p&gt;&lt;b&gt;Limits&lt;/b&gt; of its relay:&lt;/p&gt;</source>
        <translation>&lt;p&gt;&lt;b&gt;Grenzen&lt;/b&gt; seines Relays:&lt;/p&gt;</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="1119"/>
        <source>No agent</source>
        <translation>Kein Agent</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="1126"/>
        <source>Disconnected</source>
        <translation>Getrennt</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="1127"/>
        <source>Disconnected: %1</source>
        <translation>Getrennt: %1</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="1130"/>
        <source>Connecting to %1…</source>
        <translation>Verbinde mit %1…</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="1134"/>
        <source>Connected to %1 (agent %2, operator)</source>
        <translation>Verbunden mit %1 (Agent %2, Operator)</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="1135"/>
        <source>Connected to %1 (agent %2, read-only)</source>
        <translation>Verbunden mit %1 (Agent %2, nur lesen)</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="1138"/>
        <source>Reconnecting (next: %1)…</source>
        <translation>Verbinde erneut (nächster: %1)…</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="1152"/>
        <source>No update yet</source>
        <translation>Noch keine Aktualisierung</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="1157"/>
        <source>%1 s ago</source>
        <translation>vor %1 s</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="1158"/>
        <source>%1 min ago</source>
        <translation>vor %1 min</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="1159"/>
        <source>%1 h ago</source>
        <translation>vor %1 h</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="1160"/>
        <source>Updated %1</source>
        <translation>Aktualisiert %1</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="1161"/>
        <source>Stale: last update %1</source>
        <translation>Veraltet: letzte Aktualisierung %1</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="1163"/>
        <source>Last word from an agent (a snapshot or an event) at %1</source>
        <translation>Letzte Nachricht eines Agenten (Snapshot oder Ereignis) um %1</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="1172"/>
        <source>Export</source>
        <translation>Exportieren</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="1173"/>
        <source>PNG image (*.png);;SVG image (*.svg);;Snapshot JSON (*.json);;GraphViz DOT (*.dot)</source>
        <translation>PNG-Bild (*.png);;SVG-Bild (*.svg);;Schnappschuss-JSON (*.json);;GraphViz-DOT (*.dot)</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="400"/>
        <location filename="../console/mainwindow.cpp" line="1178"/>
        <source>Saved %1</source>
        <translation>%1 gespeichert</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="401"/>
        <location filename="../console/mainwindow.cpp" line="1180"/>
        <source>Export failed: %1</source>
        <translation>Export fehlgeschlagen: %1</translation>
    </message>
</context>
<context>
    <name>dmr::console::NodeTableModel</name>
    <message>
        <location filename="../console/models/node_table_model.cpp" line="101"/>
        <source>system leader</source>
        <translation>Systemleiter</translation>
    </message>
    <message>
        <location filename="../console/models/node_table_model.cpp" line="103"/>
        <source>leader of 1 network</source>
        <translation>Leiter von 1 Netz</translation>
    </message>
    <message>
        <location filename="../console/models/node_table_model.cpp" line="104"/>
        <source>leader of %1 networks</source>
        <translation>Leiter von %1 Netzen</translation>
    </message>
    <message>
        <location filename="../console/models/node_table_model.cpp" line="106"/>
        <source>member</source>
        <translation>Mitglied</translation>
    </message>
    <message>
        <location filename="../console/models/node_table_model.cpp" line="129"/>
        <source>never joined</source>
        <translation>nie beigetreten</translation>
    </message>
    <message>
        <location filename="../console/models/node_table_model.cpp" line="138"/>
        <source>%1 (failed)</source>
        <translation>%1 (ausgefallen)</translation>
    </message>
    <message>
        <location filename="../console/models/node_table_model.cpp" line="146"/>
        <source>Routing point of %1</source>
        <translation>Routingpunkt von %1</translation>
    </message>
    <message>
        <location filename="../console/models/node_table_model.cpp" line="148"/>
        <source>In the topology file, but no agent has seen it join</source>
        <translation>In der Topologiedatei, aber kein Agent hat ihn beitreten sehen</translation>
    </message>
    <message>
        <location filename="../console/models/node_table_model.cpp" line="206"/>
        <source>Node</source>
        <translation>Knoten</translation>
    </message>
    <message>
        <location filename="../console/models/node_table_model.cpp" line="208"/>
        <source>State</source>
        <translation>Zustand</translation>
    </message>
    <message>
        <location filename="../console/models/node_table_model.cpp" line="210"/>
        <source>Roles</source>
        <translation>Rollen</translation>
    </message>
    <message>
        <location filename="../console/models/node_table_model.cpp" line="212"/>
        <source>Networks</source>
        <translation>Netze</translation>
    </message>
    <message>
        <location filename="../console/models/node_table_model.cpp" line="214"/>
        <source>Interfaces</source>
        <translation>Schnittstellen</translation>
    </message>
</context>
<context>
    <name>dmr::console::ReachabilityModel</name>
    <message>
        <location filename="../console/models/reachability_model.cpp" line="113"/>
        <source>Node %1</source>
        <translation>Knoten %1</translation>
    </message>
    <message>
        <location filename="../console/models/reachability_model.cpp" line="115"/>
        <source>Node %1 did not answer: it is down or out of the cluster</source>
        <translation>Knoten %1 hat nicht geantwortet: er ist ausgefallen oder nicht im Cluster</translation>
    </message>
    <message>
        <location filename="../console/models/reachability_model.cpp" line="117"/>
        <source>Node %1 does not run the reachability probe</source>
        <translation>Knoten %1 führt die Erreichbarkeitsprobe nicht aus</translation>
    </message>
    <message>
        <location filename="../console/models/reachability_model.cpp" line="119"/>
        <source>%1 does not hear %2: last heard %3 ms ago; %4 received, %5 lost</source>
        <translation>%1 hört %2 nicht: zuletzt vor %3 ms gehört; %4 empfangen, %5 verloren</translation>
    </message>
    <message>
        <location filename="../console/models/reachability_model.cpp" line="124"/>
        <source>%1 has never heard %2</source>
        <translation>%1 hat %2 nie gehört</translation>
    </message>
    <message>
        <location filename="../console/models/reachability_model.cpp" line="126"/>
        <source>%1 hears %2: %3% of the recent probes heard; %4 received and %5 lost in all; last heard %6 ms ago</source>
        <translation>%1 hört %2: %3% der jüngsten Proben gehört; insgesamt %4 empfangen und %5 verloren; zuletzt vor %6 ms gehört</translation>
    </message>
    <message>
        <location filename="../console/models/reachability_model.cpp" line="134"/>
        <source>%1 extra copies dropped (normal: a probe can arrive by two routes while the plan changes)</source>
        <translation>%1 zusätzliche Kopien verworfen (normal: eine Probe kann während eines Planwechsels auf zwei Wegen ankommen)</translation>
    </message>
    <message>
        <location filename="../console/models/reachability_model.cpp" line="139"/>
        <source>%1; via %2</source>
        <translation>%1; über %2</translation>
    </message>
    <message>
        <location filename="../console/models/reachability_model.cpp" line="168"/>
        <source>Probes sent by node %1</source>
        <translation>Von Knoten %1 gesendete Proben</translation>
    </message>
    <message>
        <location filename="../console/models/reachability_model.cpp" line="169"/>
        <source>What node %1 hears</source>
        <translation>Was Knoten %1 hört</translation>
    </message>
</context>
<context>
    <name>dmr::console::RelayStatePoller</name>
    <message>
        <location filename="../console/client/relay_state_poller.cpp" line="111"/>
        <source>cannot speak TLS to %1: %2</source>
        <translation>kann mit %1 kein TLS sprechen: %2</translation>
    </message>
    <message>
        <location filename="../console/client/relay_state_poller.cpp" line="151"/>
        <location filename="../console/client/relay_state_poller.cpp" line="204"/>
        <source>agent at %1: %2</source>
        <translation>Agent unter %1: %2</translation>
    </message>
    <message>
        <location filename="../console/client/relay_state_poller.cpp" line="161"/>
        <source>could not ask %1: %2</source>
        <translation>konnte %1 nicht fragen: %2</translation>
    </message>
    <message>
        <location filename="../console/client/relay_state_poller.cpp" line="166"/>
        <source>agent at %1 did not answer within %2 ms</source>
        <translation>Agent unter %1 hat nicht innerhalb von %2 ms geantwortet</translation>
    </message>
    <message>
        <location filename="../console/client/relay_state_poller.cpp" line="187"/>
        <source>agent at %1: %2: %3</source>
        <translation>Agent unter %1: %2: %3</translation>
    </message>
    <message>
        <location filename="../console/client/relay_state_poller.cpp" line="191"/>
        <source>agent at %1 sent a line that is not a reply</source>
        <translation>Agent unter %1 hat eine Zeile gesendet, die keine Antwort ist</translation>
    </message>
</context>
<context>
    <name>dmr::console::TimelineWidget</name>
    <message>
        <location filename="../console/timelinewidget.cpp" line="321"/>
        <location filename="../console/timelinewidget.cpp" line="466"/>
        <source>%1 ms</source>
        <translation>%1 ms</translation>
    </message>
    <message>
        <location filename="../console/timelinewidget.cpp" line="327"/>
        <source>tunnels</source>
        <translation>Tunnel</translation>
    </message>
    <message>
        <location filename="../console/timelinewidget.cpp" line="327"/>
        <source>election</source>
        <translation>Wahl</translation>
    </message>
    <message>
        <location filename="../console/timelinewidget.cpp" line="327"/>
        <source>detection</source>
        <translation>Erkennung</translation>
    </message>
    <message>
        <location filename="../console/timelinewidget.cpp" line="339"/>
        <source>Failover phases (ms)</source>
        <translation>Failover-Phasen (ms)</translation>
    </message>
    <message>
        <location filename="../console/timelinewidget.cpp" line="344"/>
        <source>drills</source>
        <translation>Übungen</translation>
    </message>
    <message>
        <location filename="../console/timelinewidget.cpp" line="344"/>
        <source>degraded</source>
        <translation>beeinträchtigt</translation>
    </message>
    <message>
        <location filename="../console/timelinewidget.cpp" line="345"/>
        <source>plans</source>
        <translation>Pläne</translation>
    </message>
    <message>
        <location filename="../console/timelinewidget.cpp" line="384"/>
        <source>%1 %2</source>
        <translation>%1 %2</translation>
    </message>
    <message>
        <location filename="../console/timelinewidget.cpp" line="385"/>
        <source>%1 %2 %3</source>
        <translation>%1 %2 %3</translation>
    </message>
    <message>
        <location filename="../console/timelinewidget.cpp" line="466"/>
        <source>not yet</source>
        <translation>noch nicht</translation>
    </message>
    <message>
        <location filename="../console/timelinewidget.cpp" line="468"/>
        <source>Failover of node %1 (%2) at %3
detection %4 ms, election %5, tunnels %6
total %7
Click to see the plan before and after.</source>
        <translation>Failover von Knoten %1 (%2) um %3
Erkennung %4 ms, Wahl %5, Tunnel %6
Gesamt %7
Klicken zeigt den Plan davor und danach.</translation>
    </message>
    <message>
        <location filename="../console/timelinewidget.cpp" line="481"/>
        <source>%1
started %2, %3</source>
        <translation>%1
begonnen %2, %3</translation>
    </message>
    <message>
        <location filename="../console/timelinewidget.cpp" line="483"/>
        <source>ended %1</source>
        <translation>beendet %1</translation>
    </message>
    <message>
        <location filename="../console/timelinewidget.cpp" line="483"/>
        <source>in force</source>
        <translation>aktiv</translation>
    </message>
    <message>
        <location filename="../console/timelinewidget.cpp" line="490"/>
        <source>Degraded from %1: %2</source>
        <translation>Beeinträchtigt ab %1: %2</translation>
    </message>
    <message>
        <location filename="../console/timelinewidget.cpp" line="491"/>
        <source>, </source>
        <translation>, </translation>
    </message>
    <message>
        <location filename="../console/timelinewidget.cpp" line="497"/>
        <source>View %1 at %2 (from agent %3)
Click to see the plan then.</source>
        <translation>Sicht %1 um %2 (von Agent %3)
Klicken zeigt den Plan zu der Zeit.</translation>
    </message>
</context>
<context>
    <name>dmr::console::TopologyScene</name>
    <message>
        <location filename="../console/scene/export.cpp" line="30"/>
        <location filename="../console/scene/export.cpp" line="35"/>
        <source>cannot write %1: %2</source>
        <translation>%1 kann nicht geschrieben werden: %2</translation>
    </message>
    <message>
        <location filename="../console/scene/export.cpp" line="108"/>
        <source>DMR cluster %1</source>
        <translation>DMR-Cluster %1</translation>
    </message>
    <message>
        <location filename="../console/scene/export.cpp" line="113"/>
        <source>view %1</source>
        <translation>Sicht %1</translation>
    </message>
    <message>
        <location filename="../console/scene/export.cpp" line="115"/>
        <source>live</source>
        <translation>live</translation>
    </message>
    <message>
        <location filename="../console/scene/export.cpp" line="116"/>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
    <message>
        <location filename="../console/scene/export.cpp" line="118"/>
        <source>system leader %1</source>
        <translation>Systemleiter %1</translation>
    </message>
    <message>
        <location filename="../console/scene/export.cpp" line="119"/>
        <source>no system leader</source>
        <translation>kein Systemleiter</translation>
    </message>
    <message>
        <location filename="../console/scene/export.cpp" line="137"/>
        <source>cannot allocate a %1×%2 image</source>
        <translation>Bild der Größe %1×%2 kann nicht angelegt werden</translation>
    </message>
    <message>
        <location filename="../console/scene/export.cpp" line="158"/>
        <source>cannot encode %1 as PNG: %2</source>
        <translation>%1 kann nicht als PNG kodiert werden: %2</translation>
    </message>
    <message>
        <location filename="../console/scene/export.cpp" line="176"/>
        <source>DMR topology</source>
        <translation>DMR-Topologie</translation>
    </message>
    <message>
        <location filename="../console/scene/export.cpp" line="185"/>
        <source>cannot render %1 as SVG</source>
        <translation>%1 kann nicht als SVG gerendert werden</translation>
    </message>
    <message>
        <location filename="../console/scene/topologyitems.cpp" line="1172"/>
        <location filename="../console/scene/topologyscene.cpp" line="65"/>
        <source>system leader</source>
        <translation>Systemleiter</translation>
    </message>
    <message>
        <location filename="../console/scene/topologyitems.cpp" line="1174"/>
        <source>group leader (routes its network)</source>
        <translation>Gruppenleiter (routet sein Netz)</translation>
    </message>
    <message>
        <location filename="../console/scene/topologyitems.cpp" line="1175"/>
        <source>node up</source>
        <translation>Knoten aktiv</translation>
    </message>
    <message>
        <location filename="../console/scene/topologyitems.cpp" line="1176"/>
        <source>node failed</source>
        <translation>Knoten ausgefallen</translation>
    </message>
    <message>
        <location filename="../console/scene/topologyitems.cpp" line="1177"/>
        <source>node drained (maintenance)</source>
        <translation>Knoten entleert (Wartung)</translation>
    </message>
    <message>
        <location filename="../console/scene/topologyitems.cpp" line="1180"/>
        <source>failed adapter</source>
        <translation>ausgefallener Adapter</translation>
    </message>
    <message>
        <location filename="../console/scene/topologyitems.cpp" line="1182"/>
        <source>unreachable (no node hears its probes)</source>
        <translation>unerreichbar (kein Knoten hört seine Proben)</translation>
    </message>
    <message>
        <location filename="../console/scene/topologyitems.cpp" line="1183"/>
        <source>tunnel up</source>
        <translation>Tunnel aktiv</translation>
    </message>
    <message>
        <location filename="../console/scene/topologyitems.cpp" line="1184"/>
        <source>tunnel pending</source>
        <translation>Tunnel ausstehend</translation>
    </message>
    <message>
        <location filename="../console/scene/topologyscene.cpp" line="47"/>
        <location filename="../console/scene/topologyscene.cpp" line="632"/>
        <source>up</source>
        <translation>aktiv</translation>
    </message>
    <message>
        <location filename="../console/scene/topologyscene.cpp" line="49"/>
        <source>failed</source>
        <translation>ausgefallen</translation>
    </message>
    <message>
        <location filename="../console/scene/topologyscene.cpp" line="51"/>
        <source>drained</source>
        <translation>entleert</translation>
    </message>
    <message>
        <location filename="../console/scene/topologyscene.cpp" line="57"/>
        <source>down</source>
        <translation>nicht gestartet</translation>
    </message>
    <message>
        <location filename="../console/scene/topologyscene.cpp" line="67"/>
        <source>leader of %1</source>
        <translation>Leiter von %1</translation>
    </message>
    <message>
        <location filename="../console/scene/topologyscene.cpp" line="148"/>
        <location filename="../console/scene/topologyscene.cpp" line="292"/>
        <source>Node %1: %2</source>
        <translation>Knoten %1: %2</translation>
    </message>
    <message>
        <location filename="../console/scene/topologyscene.cpp" line="150"/>
        <source>System leader</source>
        <translation>Systemleiter</translation>
    </message>
    <message>
        <location filename="../console/scene/topologyscene.cpp" line="156"/>
        <source>Leads %1</source>
        <translation>Leitet %1</translation>
    </message>
    <message>
        <location filename="../console/scene/topologyscene.cpp" line="162"/>
        <source>adapter failed</source>
        <translation>Adapter ausgefallen</translation>
    </message>
    <message>
        <location filename="../console/scene/topologyscene.cpp" line="280"/>
        <source>No tunnel from system leader %1, so %2 is cut off: %3</source>
        <translation>Kein Tunnel vom Systemleiter %1, daher ist %2 abgeschnitten: %3</translation>
    </message>
    <message numerus="yes">
        <location filename="../console/scene/topologyscene.cpp" line="435"/>
        <source>and %n more</source>
        <translation>
            <numerusform>und %n weiterer</numerusform>
            <numerusform>und %n weitere</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../console/scene/topologyscene.cpp" line="436"/>
        <source>Network %1</source>
        <translation>Netz %1</translation>
    </message>
    <message>
        <location filename="../console/scene/topologyscene.cpp" line="437"/>
        <source>Nodes: %1</source>
        <translation>Knoten: %1</translation>
    </message>
    <message>
        <location filename="../console/scene/topologyscene.cpp" line="461"/>
        <source>%1 %2 on %3</source>
        <translation>%1 %2 auf %3</translation>
    </message>
    <message>
        <location filename="../console/scene/topologyscene.cpp" line="293"/>
        <source>Node %1: %2
%3</source>
        <translation>Knoten %1: %2
%3</translation>
    </message>
    <message>
        <location filename="../console/scene/topologyscene.cpp" line="281"/>
        <location filename="../console/scene/topologyscene.cpp" line="294"/>
        <location filename="../console/scene/topologyscene.cpp" line="786"/>
        <location filename="../console/scene/topologyscene.cpp" line="789"/>
        <location filename="../console/scene/topologyscene.cpp" line="792"/>
        <source>, </source>
        <translation>, </translation>
    </message>
    <message>
        <location filename="../console/scene/topologyscene.cpp" line="628"/>
        <source>Tunnel %1 %2 %3 ⇄ %4 %5 %6</source>
        <translation>Tunnel %1 %2 %3 ⇄ %4 %5 %6</translation>
    </message>
    <message>
        <location filename="../console/scene/topologyscene.cpp" line="632"/>
        <source>pending: an end is not yet in the GL_group</source>
        <translation>ausstehend: ein Ende ist noch nicht in der GL_group</translation>
    </message>
    <message>
        <location filename="../console/scene/topologyscene.cpp" line="741"/>
        <source>closes: %1</source>
        <translation>schließt: %1</translation>
    </message>
    <message>
        <location filename="../console/scene/topologyscene.cpp" line="786"/>
        <location filename="../console/scene/topologyscene.cpp" line="792"/>
        <source>loses %1</source>
        <translation>verliert %1</translation>
    </message>
    <message>
        <location filename="../console/scene/topologyscene.cpp" line="789"/>
        <source>takes over %1</source>
        <translation>übernimmt %1</translation>
    </message>
    <message>
        <location filename="../console/scene/topologyitems.cpp" line="324"/>
        <source>no leader</source>
        <translation>kein Leiter</translation>
    </message>
    <message>
        <location filename="../console/scene/topologyitems.cpp" line="325"/>
        <source>leader %1</source>
        <translation>Leiter %1</translation>
    </message>
    <message numerus="yes">
        <location filename="../console/scene/topologyitems.cpp" line="326"/>
        <source>· %1/%n up</source>
        <translation>
            <numerusform>· %1/%n aktiv</numerusform>
            <numerusform>· %1/%n aktiv</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../console/scene/topologyitems.cpp" line="853"/>
        <source>carries %1</source>
        <translation>trägt %1</translation>
    </message>
    <message>
        <location filename="../console/scene/topologyitems.cpp" line="861"/>
        <source>%1 (pending)</source>
        <translation>%1 (ausstehend)</translation>
    </message>
    <message>
        <location filename="../console/scene/topologyitems.cpp" line="964"/>
        <location filename="../console/scene/topologyitems.cpp" line="966"/>
        <source>%1 · %2</source>
        <translation>%1 · %2</translation>
    </message>
    <message>
        <location filename="../console/scene/topologyitems.cpp" line="1178"/>
        <source>node down (stopped)</source>
        <translation>Knoten gestoppt</translation>
    </message>
    <message>
        <location filename="../console/scene/topologyitems.cpp" line="1179"/>
        <location filename="../console/scene/topologyscene.cpp" line="53"/>
        <source>never joined</source>
        <translation>nie beigetreten</translation>
    </message>
    <message>
        <location filename="../console/scene/topologyitems.cpp" line="1217"/>
        <location filename="../console/scene/topologyitems.cpp" line="1242"/>
        <source>Legend</source>
        <translation>Legende</translation>
    </message>
</context>
</TS>
