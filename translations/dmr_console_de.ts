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
        <location filename="../console/client/records.cpp" line="281"/>
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
        <location filename="../console/client/records.cpp" line="199"/>
        <source>%1 ms</source>
        <translation>%1 ms</translation>
    </message>
    <message>
        <location filename="../console/client/records.cpp" line="434"/>
        <source>system leader</source>
        <translation>Systemleiter</translation>
    </message>
    <message>
        <location filename="../console/client/records.cpp" line="436"/>
        <source>leader of %1</source>
        <translation>Leiter von %1</translation>
    </message>
    <message>
        <location filename="../console/client/records.cpp" line="445"/>
        <source>view of %1: empty</source>
        <translation>Sicht von %1: leer</translation>
    </message>
    <message>
        <location filename="../console/client/records.cpp" line="446"/>
        <source>view of %1: leader %2, members %3</source>
        <translation>Sicht von %1: Leiter %2, Mitglieder %3</translation>
    </message>
    <message>
        <location filename="../console/client/records.cpp" line="450"/>
        <source>plan unchanged</source>
        <translation>Plan unverändert</translation>
    </message>
    <message>
        <location filename="../console/client/records.cpp" line="452"/>
        <source>plan changed: 1 action: %1</source>
        <translation>Plan geändert: 1 Aktion: %1</translation>
    </message>
    <message>
        <location filename="../console/client/records.cpp" line="453"/>
        <source>plan changed: %1 actions: %2</source>
        <translation>Plan geändert: %1 Aktionen: %2</translation>
    </message>
    <message>
        <location filename="../console/client/records.cpp" line="457"/>
        <source>the system leader</source>
        <translation>der Systemleiter</translation>
    </message>
    <message>
        <location filename="../console/client/records.cpp" line="458"/>
        <source>nobody</source>
        <translation>niemand</translation>
    </message>
    <message>
        <location filename="../console/client/records.cpp" line="460"/>
        <source>failover of %1: %2 -&gt; %3</source>
        <translation>Failover von %1: %2 -&gt; %3</translation>
    </message>
    <message>
        <location filename="../console/client/records.cpp" line="461"/>
        <source>failover of %1: %2 -&gt; %3 (%4)</source>
        <translation>Failover von %1: %2 -&gt; %3 (%4)</translation>
    </message>
    <message>
        <location filename="../console/client/records.cpp" line="472"/>
        <source>drill: %1</source>
        <translation>Übung: %1</translation>
    </message>
    <message>
        <location filename="../console/client/records.cpp" line="473"/>
        <source>drill by %1: %2</source>
        <translation>Übung durch %1: %2</translation>
    </message>
    <message>
        <location filename="../console/client/records.cpp" line="478"/>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <location filename="../console/client/records.cpp" line="484"/>
        <source>node %1</source>
        <translation>Knoten %1</translation>
    </message>
    <message>
        <location filename="../console/client/records.cpp" line="485"/>
        <source>adapter %1 of node %2</source>
        <translation>Adapter %1 von Knoten %2</translation>
    </message>
    <message>
        <location filename="../console/client/records.cpp" line="486"/>
        <source>%1 of %2</source>
        <translation>%1 von %2</translation>
    </message>
    <message>
        <location filename="../console/client/records.cpp" line="488"/>
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
</context>
<context>
    <name>dmr::console::AgentClient</name>
    <message>
        <location filename="../console/client/agent_client.cpp" line="82"/>
        <source>could not connect to %1 within %2 ms</source>
        <translation>Verbindung zu %1 nicht innerhalb von %2 ms möglich</translation>
    </message>
    <message>
        <location filename="../console/client/agent_client.cpp" line="88"/>
        <source>agent at %1 did not answer within %2 ms</source>
        <translation>Agent unter %1 hat nicht innerhalb von %2 ms geantwortet</translation>
    </message>
    <message>
        <location filename="../console/client/agent_client.cpp" line="149"/>
        <source>restarted</source>
        <translation>neu gestartet</translation>
    </message>
    <message>
        <location filename="../console/client/agent_client.cpp" line="162"/>
        <source>the console disconnected</source>
        <translation>die Konsole hat die Verbindung getrennt</translation>
    </message>
    <message>
        <location filename="../console/client/agent_client.cpp" line="174"/>
        <source>no agent address to connect to</source>
        <translation>keine Agent-Adresse zum Verbinden</translation>
    </message>
    <message>
        <location filename="../console/client/agent_client.cpp" line="225"/>
        <source>the connection to the agent closed before it answered (%1); the drill may have been carried out</source>
        <translation>die Verbindung zum Agenten wurde vor der Antwort geschlossen (%1); die Übung wurde möglicherweise ausgeführt</translation>
    </message>
    <message>
        <location filename="../console/client/agent_client.cpp" line="261"/>
        <source>lost the agent at %1: %2</source>
        <translation>Agent unter %1 verloren: %2</translation>
    </message>
    <message>
        <location filename="../console/client/agent_client.cpp" line="262"/>
        <source>could not connect to %1: %2</source>
        <translation>Verbindung zu %1 fehlgeschlagen: %2</translation>
    </message>
    <message>
        <location filename="../console/client/agent_client.cpp" line="293"/>
        <location filename="../console/client/agent_client.cpp" line="341"/>
        <location filename="../console/client/agent_client.cpp" line="398"/>
        <location filename="../console/client/agent_client.cpp" line="404"/>
        <location filename="../console/client/agent_client.cpp" line="426"/>
        <location filename="../console/client/agent_client.cpp" line="435"/>
        <location filename="../console/client/agent_client.cpp" line="518"/>
        <source>agent at %1: %2</source>
        <translation>Agent unter %1: %2</translation>
    </message>
    <message>
        <location filename="../console/client/agent_client.cpp" line="306"/>
        <source>agent at %1 sent a line that is not JSON (%2 at offset %3): %4</source>
        <translation>Agent unter %1 hat eine Zeile gesendet, die kein JSON ist (%2 bei Position %3): %4</translation>
    </message>
    <message>
        <location filename="../console/client/agent_client.cpp" line="311"/>
        <source>agent at %1 sent a line that is not a JSON object: %2</source>
        <translation>Agent unter %1 hat eine Zeile gesendet, die kein JSON-Objekt ist: %2</translation>
    </message>
    <message>
        <location filename="../console/client/agent_client.cpp" line="319"/>
        <source>agent at %1 sent a bad event: %2</source>
        <translation>Agent unter %1 hat ein fehlerhaftes Ereignis gesendet: %2</translation>
    </message>
    <message>
        <location filename="../console/client/agent_client.cpp" line="331"/>
        <source>agent at %1 sent a message of unknown type: %2</source>
        <translation>Agent unter %1 hat eine Nachricht unbekannten Typs gesendet: %2</translation>
    </message>
    <message>
        <location filename="../console/client/agent_client.cpp" line="343"/>
        <source>agent at %1 sent a reply without an id: %2</source>
        <translation>Agent unter %1 hat eine Antwort ohne ID gesendet: %2</translation>
    </message>
    <message>
        <location filename="../console/client/agent_client.cpp" line="349"/>
        <source>agent at %1 answered a request this console did not send: %2</source>
        <translation>Agent unter %1 hat auf eine Anfrage geantwortet, die diese Konsole nicht gesendet hat: %2</translation>
    </message>
    <message>
        <location filename="../console/client/agent_client.cpp" line="380"/>
        <source>agent at %1 refused the hello: %2</source>
        <translation>Agent unter %1 hat die Begrüßung abgelehnt: %2</translation>
    </message>
    <message>
        <location filename="../console/client/agent_client.cpp" line="412"/>
        <source>agent at %1 sent a reply without a result object</source>
        <translation>Agent unter %1 hat eine Antwort ohne Ergebnisobjekt gesendet</translation>
    </message>
    <message>
        <location filename="../console/client/agent_client.cpp" line="489"/>
        <source>the agent carried out the drill, but its record is unreadable: %1</source>
        <translation>der Agent hat die Übung ausgeführt, aber ihr Protokoll ist unlesbar: %1</translation>
    </message>
    <message>
        <location filename="../console/client/agent_client.cpp" line="500"/>
        <source>%1: carried out (drill %2)</source>
        <translation>%1: ausgeführt (Übung %2)</translation>
    </message>
    <message>
        <location filename="../console/client/agent_client.cpp" line="501"/>
        <source>%1: carried out by agent %2 (drill %3)</source>
        <translation>%1: von Agent %2 ausgeführt (Übung %3)</translation>
    </message>
    <message>
        <location filename="../console/client/agent_client.cpp" line="533"/>
        <source>agent %1 at %2 is not in the cluster (view %3); moving to another agent</source>
        <translation>Agent %1 unter %2 ist nicht im Cluster (Sicht %3); wechsle zu einem anderen Agenten</translation>
    </message>
    <message>
        <location filename="../console/client/agent_client.cpp" line="612"/>
        <source>unknown drill action &quot;%1&quot;; expected kill, fail-adapter, drain or restore</source>
        <translation>unbekannte Übungsaktion „%1“; erwartet: kill, fail-adapter, drain oder restore</translation>
    </message>
    <message>
        <location filename="../console/client/agent_client.cpp" line="616"/>
        <source>not connected to an agent</source>
        <translation>nicht mit einem Agenten verbunden</translation>
    </message>
</context>
<context>
    <name>dmr::console::DrillDialog</name>
    <message>
        <location filename="../console/drilldialog.cpp" line="49"/>
        <source>system leader</source>
        <translation>Systemleiter</translation>
    </message>
    <message>
        <location filename="../console/drilldialog.cpp" line="51"/>
        <source>leader of %1</source>
        <translation>Leiter von %1</translation>
    </message>
    <message>
        <location filename="../console/drilldialog.cpp" line="53"/>
        <source>member</source>
        <translation>Mitglied</translation>
    </message>
    <message>
        <location filename="../console/drilldialog.cpp" line="64"/>
        <source>Nothing moves: %1 comes back and joins its groups at the end.</source>
        <translation>Nichts ändert sich: %1 kehrt zurück und tritt seinen Gruppen am Ende bei.</translation>
    </message>
    <message>
        <location filename="../console/drilldialog.cpp" line="75"/>
        <source>%1 has no adapter %2.</source>
        <translation>%1 hat keinen Adapter %2.</translation>
    </message>
    <message>
        <location filename="../console/drilldialog.cpp" line="77"/>
        <source>%1 leaves network %2 (adapter %3).</source>
        <translation>%1 verlässt Netz %2 (Adapter %3).</translation>
    </message>
    <message>
        <location filename="../console/drilldialog.cpp" line="83"/>
        <source>%1: loses its leader %2; nobody takes over.</source>
        <translation>%1: verliert seinen Leiter %2; niemand übernimmt.</translation>
    </message>
    <message>
        <location filename="../console/drilldialog.cpp" line="84"/>
        <source>%1: leader %2 → %3</source>
        <translation>%1: Leiter %2 → %3</translation>
    </message>
    <message>
        <location filename="../console/drilldialog.cpp" line="90"/>
        <source>System leader %1: nobody takes over.</source>
        <translation>Systemleiter %1: niemand übernimmt.</translation>
    </message>
    <message>
        <location filename="../console/drilldialog.cpp" line="91"/>
        <source>System leader: %1 → %2</source>
        <translation>Systemleiter: %1 → %2</translation>
    </message>
    <message>
        <location filename="../console/drilldialog.cpp" line="94"/>
        <source>No roles move: %1 leads nothing.</source>
        <translation>Keine Rollen wechseln: %1 leitet nichts.</translation>
    </message>
    <message>
        <location filename="../console/drilldialog.cpp" line="111"/>
        <source>%1 %2</source>
        <translation>%1 %2</translation>
    </message>
    <message>
        <location filename="../console/drilldialog.cpp" line="112"/>
        <source>Drill: %1 node %2</source>
        <translation>Übung: %1 Knoten %2</translation>
    </message>
    <message>
        <location filename="../console/drilldialog.cpp" line="115"/>
        <source>&lt;b&gt;%1&lt;/b&gt; node &lt;b&gt;%2&lt;/b&gt;</source>
        <translation>&lt;b&gt;%1&lt;/b&gt; Knoten &lt;b&gt;%2&lt;/b&gt;</translation>
    </message>
    <message>
        <location filename="../console/drilldialog.cpp" line="116"/>
        <source>Roles: %1</source>
        <translation>Rollen: %1</translation>
    </message>
    <message>
        <location filename="../console/drilldialog.cpp" line="116"/>
        <source>, </source>
        <translation>, </translation>
    </message>
    <message>
        <location filename="../console/drilldialog.cpp" line="117"/>
        <source>What will move:</source>
        <translation>Was sich ändern wird:</translation>
    </message>
    <message>
        <location filename="../console/drilldialog.cpp" line="126"/>
        <source>Why (required): shown in the audit trail</source>
        <translation>Grund (erforderlich): erscheint im Prüfprotokoll</translation>
    </message>
    <message>
        <location filename="../console/drilldialog.cpp" line="128"/>
        <source> s</source>
        <translation> s</translation>
    </message>
    <message>
        <location filename="../console/drilldialog.cpp" line="129"/>
        <source>until restored</source>
        <translation>bis zur Wiederherstellung</translation>
    </message>
    <message>
        <location filename="../console/drilldialog.cpp" line="133"/>
        <source>&amp;Reason:</source>
        <translation>&amp;Begründung:</translation>
    </message>
    <message>
        <location filename="../console/drilldialog.cpp" line="134"/>
        <source>&amp;Duration:</source>
        <translation>&amp;Dauer:</translation>
    </message>
    <message>
        <location filename="../console/drilldialog.cpp" line="139"/>
        <source>Run drill</source>
        <translation>Übung starten</translation>
    </message>
</context>
<context>
    <name>dmr::console::DrillModel</name>
    <message>
        <location filename="../console/models/drill_model.cpp" line="112"/>
        <source>until a restore</source>
        <translation>bis zur Wiederherstellung</translation>
    </message>
    <message>
        <location filename="../console/models/drill_model.cpp" line="114"/>
        <source>in force</source>
        <translation>aktiv</translation>
    </message>
    <message>
        <location filename="../console/models/drill_model.cpp" line="116"/>
        <source>forwarded by agent %1</source>
        <translation>weitergeleitet von Agent %1</translation>
    </message>
    <message>
        <location filename="../console/models/drill_model.cpp" line="153"/>
        <source>Started</source>
        <translation>Beginn</translation>
    </message>
    <message>
        <location filename="../console/models/drill_model.cpp" line="155"/>
        <source>Action</source>
        <translation>Aktion</translation>
    </message>
    <message>
        <location filename="../console/models/drill_model.cpp" line="157"/>
        <source>Node</source>
        <translation>Knoten</translation>
    </message>
    <message>
        <location filename="../console/models/drill_model.cpp" line="159"/>
        <source>Interface</source>
        <translation>Schnittstelle</translation>
    </message>
    <message>
        <location filename="../console/models/drill_model.cpp" line="161"/>
        <source>Reason</source>
        <translation>Begründung</translation>
    </message>
    <message>
        <location filename="../console/models/drill_model.cpp" line="163"/>
        <source>Client</source>
        <translation>Client</translation>
    </message>
    <message>
        <location filename="../console/models/drill_model.cpp" line="165"/>
        <source>Duration (ms)</source>
        <translation>Dauer (ms)</translation>
    </message>
    <message>
        <location filename="../console/models/drill_model.cpp" line="167"/>
        <source>Ended</source>
        <translation>Ende</translation>
    </message>
    <message>
        <location filename="../console/models/drill_model.cpp" line="169"/>
        <source>Via</source>
        <translation>Über</translation>
    </message>
</context>
<context>
    <name>dmr::console::EventLogModel</name>
    <message>
        <location filename="../console/models/event_log_model.cpp" line="90"/>
        <source>view changed</source>
        <translation>Sicht geändert</translation>
    </message>
    <message>
        <location filename="../console/models/event_log_model.cpp" line="92"/>
        <source>plan changed</source>
        <translation>Plan geändert</translation>
    </message>
    <message>
        <location filename="../console/models/event_log_model.cpp" line="94"/>
        <source>failover</source>
        <translation>Failover</translation>
    </message>
    <message>
        <location filename="../console/models/event_log_model.cpp" line="96"/>
        <source>drill</source>
        <translation>Übung</translation>
    </message>
    <message>
        <location filename="../console/models/event_log_model.cpp" line="124"/>
        <source>%1, reported by agent %2</source>
        <translation>%1, gemeldet von Agent %2</translation>
    </message>
    <message>
        <location filename="../console/models/event_log_model.cpp" line="169"/>
        <source>Time</source>
        <translation>Zeit</translation>
    </message>
    <message>
        <location filename="../console/models/event_log_model.cpp" line="171"/>
        <source>Event</source>
        <translation>Ereignis</translation>
    </message>
    <message>
        <location filename="../console/models/event_log_model.cpp" line="173"/>
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
        <location filename="../console/models/history_model.cpp" line="96"/>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <location filename="../console/models/history_model.cpp" line="97"/>
        <source>nobody</source>
        <translation>niemand</translation>
    </message>
    <message>
        <location filename="../console/models/history_model.cpp" line="105"/>
        <source>detected %1, new view %2 at %3</source>
        <translation>erkannt %1, neue Sicht %2 um %3</translation>
    </message>
    <message>
        <location filename="../console/models/history_model.cpp" line="108"/>
        <source>waiting for the new routing points to report their tunnels up</source>
        <translation>warte, bis die neuen Routingpunkte ihre Tunnel als aktiv melden</translation>
    </message>
    <message>
        <location filename="../console/models/history_model.cpp" line="149"/>
        <source>Detected</source>
        <translation>Erkannt</translation>
    </message>
    <message>
        <location filename="../console/models/history_model.cpp" line="151"/>
        <source>Node</source>
        <translation>Knoten</translation>
    </message>
    <message>
        <location filename="../console/models/history_model.cpp" line="153"/>
        <source>Cause</source>
        <translation>Ursache</translation>
    </message>
    <message>
        <location filename="../console/models/history_model.cpp" line="155"/>
        <source>Roles lost</source>
        <translation>Verlorene Rollen</translation>
    </message>
    <message>
        <location filename="../console/models/history_model.cpp" line="157"/>
        <source>Successors</source>
        <translation>Nachfolger</translation>
    </message>
    <message>
        <location filename="../console/models/history_model.cpp" line="159"/>
        <source>Silent (ms)</source>
        <translation>Stille (ms)</translation>
    </message>
    <message>
        <location filename="../console/models/history_model.cpp" line="161"/>
        <source>Election (ms)</source>
        <translation>Wahl (ms)</translation>
    </message>
    <message>
        <location filename="../console/models/history_model.cpp" line="163"/>
        <source>Tunnels (ms)</source>
        <translation>Tunnel (ms)</translation>
    </message>
    <message>
        <location filename="../console/models/history_model.cpp" line="165"/>
        <source>Total (ms)</source>
        <translation>Gesamt (ms)</translation>
    </message>
</context>
<context>
    <name>dmr::console::MainWindow</name>
    <message>
        <location filename="../console/mainwindow.cpp" line="123"/>
        <source>no snapshot to export yet</source>
        <translation>noch kein Schnappschuss zum Exportieren</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="128"/>
        <source>%1: unknown format (use .png, .svg, .json or .dot)</source>
        <translation>%1: unbekanntes Format (.png, .svg, .json oder .dot verwenden)</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="137"/>
        <source>&lt;i&gt;No node selected. Click a node in the topology.&lt;/i&gt;</source>
        <translation>&lt;i&gt;Kein Knoten ausgewählt. Klicken Sie auf einen Knoten in der Topologie.&lt;/i&gt;</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="138"/>
        <source>&lt;h3&gt;Node %1&lt;/h3&gt;</source>
        <translation>&lt;h3&gt;Knoten %1&lt;/h3&gt;</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="140"/>
        <source>&lt;p&gt;State: &lt;b&gt;%1&lt;/b&gt;&lt;/p&gt;</source>
        <translation>&lt;p&gt;Zustand: &lt;b&gt;%1&lt;/b&gt;&lt;/p&gt;</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="142"/>
        <source>&lt;p&gt;&lt;b&gt;Roles:&lt;/b&gt; %1&lt;/p&gt;</source>
        <translation>&lt;p&gt;&lt;b&gt;Rollen:&lt;/b&gt; %1&lt;/p&gt;</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="143"/>
        <location filename="../console/mainwindow.cpp" line="195"/>
        <source>, </source>
        <translation>, </translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="145"/>
        <source>&lt;p&gt;&lt;b&gt;Interfaces:&lt;/b&gt;&lt;/p&gt;&lt;ul&gt;</source>
        <translation>&lt;p&gt;&lt;b&gt;Schnittstellen:&lt;/b&gt;&lt;/p&gt;&lt;ul&gt;</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="152"/>
        <source> (failed)</source>
        <translation> (ausgefallen)</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="157"/>
        <source>&lt;p&gt;&lt;b&gt;Groups&lt;/b&gt; (position in join order):&lt;/p&gt;&lt;ul&gt;</source>
        <translation>&lt;p&gt;&lt;b&gt;Gruppen&lt;/b&gt; (Position in der Beitrittsfolge):&lt;/p&gt;&lt;ul&gt;</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="161"/>
        <source>%1 of %2%3</source>
        <translation>%1 von %2%3</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="164"/>
        <source>, leader</source>
        <translation>, Leiter</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="180"/>
        <location filename="../console/mainwindow.cpp" line="199"/>
        <source>&lt;li&gt;none&lt;/li&gt;</source>
        <translation>&lt;li&gt;keine&lt;/li&gt;</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="184"/>
        <source>&lt;p&gt;&lt;b&gt;Tunnel ends:&lt;/b&gt;&lt;/p&gt;&lt;ul&gt;</source>
        <translation>&lt;p&gt;&lt;b&gt;Tunnelenden:&lt;/b&gt;&lt;/p&gt;&lt;ul&gt;</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="193"/>
        <source>%1 %2 ↔ node %3 %4 %5 (%6)</source>
        <translation>%1 %2 ↔ Knoten %3 %4 %5 (%6)</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="212"/>
        <source>DMR console</source>
        <translation>DMR-Konsole</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="222"/>
        <source>DMR console — %1 (view %2)</source>
        <translation>DMR-Konsole — %1 (Sicht %2)</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="247"/>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="251"/>
        <source>Drill %1 done: %2</source>
        <translation>Übung %1 abgeschlossen: %2</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="252"/>
        <source>Drill %1 failed: %2</source>
        <translation>Übung %1 fehlgeschlagen: %2</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="275"/>
        <source>Node</source>
        <translation>Knoten</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="286"/>
        <source>Nodes</source>
        <translation>Knoten</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="298"/>
        <source>Filter events</source>
        <translation>Ereignisse filtern</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="315"/>
        <source>Events</source>
        <translation>Ereignisse</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="321"/>
        <source>Failover time</source>
        <translation>Failover-Dauer</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="325"/>
        <source>total ms</source>
        <translation>gesamt ms</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="332"/>
        <source>detected</source>
        <translation>erkannt</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="334"/>
        <source>total (ms)</source>
        <translation>gesamt (ms)</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="357"/>
        <source>Failovers</source>
        <translation>Failover</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="362"/>
        <source>Drills</source>
        <translation>Übungen</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="378"/>
        <source>Rows: the receiving node. Columns: the node whose probes it hears. Cells: the share of recent probes lost.</source>
        <translation>Zeilen: der empfangende Knoten. Spalten: der Knoten, dessen Proben er hört. Zellen: der Anteil verlorener jüngster Proben.</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="387"/>
        <source>Reachability</source>
        <translation>Erreichbarkeit</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="407"/>
        <source>No reachability data: the agent has no probe, or has not answered yet.</source>
        <translation>Keine Erreichbarkeitsdaten: der Agent hat keine Probe oder hat noch nicht geantwortet.</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="425"/>
        <source>%1 of %2 probing nodes hear every other one.</source>
        <translation>%1 von %2 prüfenden Knoten hören alle anderen.</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="427"/>
        <source>Not heard by anyone: %1.</source>
        <translation>Von niemandem gehört: %1.</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="433"/>
        <source>&amp;File</source>
        <translation>&amp;Datei</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="437"/>
        <source>&amp;Export…</source>
        <translation>&amp;Exportieren…</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="441"/>
        <source>&amp;Quit</source>
        <translation>&amp;Beenden</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="444"/>
        <source>&amp;View</source>
        <translation>&amp;Ansicht</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="445"/>
        <source>&amp;Fit</source>
        <translation>&amp;Einpassen</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="448"/>
        <source>Zoom &amp;in</source>
        <translation>Ver&amp;größern</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="451"/>
        <source>Zoom &amp;out</source>
        <translation>Ver&amp;kleinern</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="454"/>
        <source>&amp;Find node…</source>
        <translation>Knoten &amp;suchen…</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="458"/>
        <source>&amp;Dark palette</source>
        <translation>&amp;Dunkle Farbpalette</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="465"/>
        <source>&amp;Panels</source>
        <translation>&amp;Bereiche</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="471"/>
        <source>&amp;Drill</source>
        <translation>Ü&amp;bung</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="493"/>
        <source>Drill on the selected node</source>
        <translation>Übung am ausgewählten Knoten</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="495"/>
        <source>Main</source>
        <translation>Haupt</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="523"/>
        <source>%1 node %2</source>
        <translation>%1 Knoten %2</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="524"/>
        <location filename="../console/mainwindow.cpp" line="534"/>
        <location filename="../console/mainwindow.cpp" line="550"/>
        <source>Select a node first</source>
        <translation>Wählen Sie zuerst einen Knoten aus</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="553"/>
        <source>Node %1</source>
        <translation>Knoten %1</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="472"/>
        <location filename="../console/mainwindow.cpp" line="557"/>
        <source>&amp;Kill…</source>
        <translation>&amp;Beenden…</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="477"/>
        <location filename="../console/mainwindow.cpp" line="559"/>
        <source>Fail &amp;adapter</source>
        <translation>&amp;Adapter ausfallen lassen</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="539"/>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="482"/>
        <location filename="../console/mainwindow.cpp" line="560"/>
        <source>&amp;Drain…</source>
        <translation>&amp;Entleeren…</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="487"/>
        <location filename="../console/mainwindow.cpp" line="562"/>
        <source>&amp;Restore…</source>
        <translation>&amp;Wiederherstellen…</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="584"/>
        <source>Operator token</source>
        <translation>Operator-Token</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="584"/>
        <source>Drills need the operator token:</source>
        <translation>Übungen erfordern das Operator-Token:</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="594"/>
        <source>Reconnecting with the operator token…</source>
        <translation>Verbinde erneut mit dem Operator-Token…</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="608"/>
        <source>Drill %1 sent: %2 %3</source>
        <translation>Übung %1 gesendet: %2 %3</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="633"/>
        <source>Find node</source>
        <translation>Knoten suchen</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="633"/>
        <source>Node id or address:</source>
        <translation>Knoten-ID oder Adresse:</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="639"/>
        <source>No node matches “%1”</source>
        <translation>Kein Knoten passt zu „%1“</translation>
    </message>
    <message numerus="yes">
        <location filename="../console/mainwindow.cpp" line="644"/>
        <source>%n node(s) match</source>
        <translation>
            <numerusform>%n Knoten passt</numerusform>
            <numerusform>%n Knoten passen</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="688"/>
        <source>No agent</source>
        <translation>Kein Agent</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="695"/>
        <source>Disconnected</source>
        <translation>Getrennt</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="696"/>
        <source>Disconnected: %1</source>
        <translation>Getrennt: %1</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="699"/>
        <source>Connecting to %1…</source>
        <translation>Verbinde mit %1…</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="703"/>
        <source>Connected to %1 (agent %2, operator)</source>
        <translation>Verbunden mit %1 (Agent %2, Operator)</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="704"/>
        <source>Connected to %1 (agent %2, read-only)</source>
        <translation>Verbunden mit %1 (Agent %2, nur lesen)</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="707"/>
        <source>Reconnecting (next: %1)…</source>
        <translation>Verbinde erneut (nächster: %1)…</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="716"/>
        <source>Export</source>
        <translation>Exportieren</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="717"/>
        <source>PNG image (*.png);;SVG image (*.svg);;Snapshot JSON (*.json);;GraphViz DOT (*.dot)</source>
        <translation>PNG-Bild (*.png);;SVG-Bild (*.svg);;Schnappschuss-JSON (*.json);;GraphViz-DOT (*.dot)</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="722"/>
        <source>Saved %1</source>
        <translation>%1 gespeichert</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="724"/>
        <source>Export failed: %1</source>
        <translation>Export fehlgeschlagen: %1</translation>
    </message>
</context>
<context>
    <name>dmr::console::NodeTableModel</name>
    <message>
        <location filename="../console/models/node_table_model.cpp" line="99"/>
        <source>system leader</source>
        <translation>Systemleiter</translation>
    </message>
    <message>
        <location filename="../console/models/node_table_model.cpp" line="101"/>
        <source>leader of 1 network</source>
        <translation>Leiter von 1 Netz</translation>
    </message>
    <message>
        <location filename="../console/models/node_table_model.cpp" line="102"/>
        <source>leader of %1 networks</source>
        <translation>Leiter von %1 Netzen</translation>
    </message>
    <message>
        <location filename="../console/models/node_table_model.cpp" line="104"/>
        <source>member</source>
        <translation>Mitglied</translation>
    </message>
    <message>
        <location filename="../console/models/node_table_model.cpp" line="136"/>
        <source>%1 (failed)</source>
        <translation>%1 (ausgefallen)</translation>
    </message>
    <message>
        <location filename="../console/models/node_table_model.cpp" line="144"/>
        <source>Routing point of %1</source>
        <translation>Routingpunkt von %1</translation>
    </message>
    <message>
        <location filename="../console/models/node_table_model.cpp" line="199"/>
        <source>Node</source>
        <translation>Knoten</translation>
    </message>
    <message>
        <location filename="../console/models/node_table_model.cpp" line="201"/>
        <source>State</source>
        <translation>Zustand</translation>
    </message>
    <message>
        <location filename="../console/models/node_table_model.cpp" line="203"/>
        <source>Roles</source>
        <translation>Rollen</translation>
    </message>
    <message>
        <location filename="../console/models/node_table_model.cpp" line="205"/>
        <source>Networks</source>
        <translation>Netze</translation>
    </message>
    <message>
        <location filename="../console/models/node_table_model.cpp" line="207"/>
        <source>Interfaces</source>
        <translation>Schnittstellen</translation>
    </message>
</context>
<context>
    <name>dmr::console::ReachabilityModel</name>
    <message>
        <location filename="../console/models/reachability_model.cpp" line="111"/>
        <source>Node %1</source>
        <translation>Knoten %1</translation>
    </message>
    <message>
        <location filename="../console/models/reachability_model.cpp" line="113"/>
        <source>Node %1 did not answer: it is down or out of the cluster</source>
        <translation>Knoten %1 hat nicht geantwortet: er ist ausgefallen oder nicht im Cluster</translation>
    </message>
    <message>
        <location filename="../console/models/reachability_model.cpp" line="115"/>
        <source>Node %1 does not run the reachability probe</source>
        <translation>Knoten %1 führt die Erreichbarkeitsprobe nicht aus</translation>
    </message>
    <message>
        <location filename="../console/models/reachability_model.cpp" line="117"/>
        <source>%1 does not hear %2: last heard %3 ms ago; %4 received, %5 lost</source>
        <translation>%1 hört %2 nicht: zuletzt vor %3 ms gehört; %4 empfangen, %5 verloren</translation>
    </message>
    <message>
        <location filename="../console/models/reachability_model.cpp" line="122"/>
        <source>%1 has never heard %2</source>
        <translation>%1 hat %2 nie gehört</translation>
    </message>
    <message>
        <location filename="../console/models/reachability_model.cpp" line="124"/>
        <source>%1 hears %2: %3% of the recent probes lost; %4 received, %5 lost, %6 duplicated in all; last heard %7 ms ago</source>
        <translation>%1 hört %2: %3% der jüngsten Proben verloren; insgesamt %4 empfangen, %5 verloren, %6 doppelt; zuletzt vor %7 ms gehört</translation>
    </message>
    <message>
        <location filename="../console/models/reachability_model.cpp" line="134"/>
        <source>%1; via %2</source>
        <translation>%1; über %2</translation>
    </message>
    <message>
        <location filename="../console/models/reachability_model.cpp" line="163"/>
        <source>Probes sent by node %1</source>
        <translation>Von Knoten %1 gesendete Proben</translation>
    </message>
    <message>
        <location filename="../console/models/reachability_model.cpp" line="164"/>
        <source>What node %1 hears</source>
        <translation>Was Knoten %1 hört</translation>
    </message>
</context>
<context>
    <name>dmr::console::TopologyScene</name>
    <message>
        <location filename="../console/scene/export.cpp" line="28"/>
        <location filename="../console/scene/export.cpp" line="33"/>
        <source>cannot write %1: %2</source>
        <translation>%1 kann nicht geschrieben werden: %2</translation>
    </message>
    <message>
        <location filename="../console/scene/export.cpp" line="72"/>
        <source>cannot allocate a %1×%2 image</source>
        <translation>Bild der Größe %1×%2 kann nicht angelegt werden</translation>
    </message>
    <message>
        <location filename="../console/scene/export.cpp" line="91"/>
        <source>cannot encode %1 as PNG: %2</source>
        <translation>%1 kann nicht als PNG kodiert werden: %2</translation>
    </message>
    <message>
        <location filename="../console/scene/export.cpp" line="106"/>
        <source>Cluster %1 at %2</source>
        <translation>Cluster %1 um %2</translation>
    </message>
    <message>
        <location filename="../console/scene/export.cpp" line="117"/>
        <source>DMR topology</source>
        <translation>DMR-Topologie</translation>
    </message>
    <message>
        <location filename="../console/scene/export.cpp" line="126"/>
        <source>cannot render %1 as SVG</source>
        <translation>%1 kann nicht als SVG gerendert werden</translation>
    </message>
    <message>
        <location filename="../console/scene/topologyitems.cpp" line="761"/>
        <source>system leader</source>
        <translation>Systemleiter</translation>
    </message>
    <message>
        <location filename="../console/scene/topologyitems.cpp" line="763"/>
        <source>group leader (routes its network)</source>
        <translation>Gruppenleiter (routet sein Netz)</translation>
    </message>
    <message>
        <location filename="../console/scene/topologyitems.cpp" line="764"/>
        <source>node up</source>
        <translation>Knoten aktiv</translation>
    </message>
    <message>
        <location filename="../console/scene/topologyitems.cpp" line="765"/>
        <source>node failed</source>
        <translation>Knoten ausgefallen</translation>
    </message>
    <message>
        <location filename="../console/scene/topologyitems.cpp" line="766"/>
        <source>node drained (maintenance)</source>
        <translation>Knoten entleert (Wartung)</translation>
    </message>
    <message>
        <location filename="../console/scene/topologyitems.cpp" line="767"/>
        <source>node down (not started)</source>
        <translation>Knoten inaktiv (nicht gestartet)</translation>
    </message>
    <message>
        <location filename="../console/scene/topologyitems.cpp" line="768"/>
        <source>failed adapter</source>
        <translation>ausgefallener Adapter</translation>
    </message>
    <message>
        <location filename="../console/scene/topologyitems.cpp" line="770"/>
        <source>unreachable (no node hears its probes)</source>
        <translation>unerreichbar (kein Knoten hört seine Proben)</translation>
    </message>
    <message>
        <location filename="../console/scene/topologyitems.cpp" line="771"/>
        <source>tunnel up</source>
        <translation>Tunnel aktiv</translation>
    </message>
    <message>
        <location filename="../console/scene/topologyitems.cpp" line="772"/>
        <source>tunnel pending</source>
        <translation>Tunnel ausstehend</translation>
    </message>
    <message>
        <location filename="../console/scene/topologyscene.cpp" line="44"/>
        <location filename="../console/scene/topologyscene.cpp" line="458"/>
        <source>up</source>
        <translation>aktiv</translation>
    </message>
    <message>
        <location filename="../console/scene/topologyscene.cpp" line="46"/>
        <source>failed</source>
        <translation>ausgefallen</translation>
    </message>
    <message>
        <location filename="../console/scene/topologyscene.cpp" line="48"/>
        <source>drained</source>
        <translation>entleert</translation>
    </message>
    <message>
        <location filename="../console/scene/topologyscene.cpp" line="52"/>
        <source>down</source>
        <translation>nicht gestartet</translation>
    </message>
    <message>
        <location filename="../console/scene/topologyscene.cpp" line="110"/>
        <source>Node %1: %2</source>
        <translation>Knoten %1: %2</translation>
    </message>
    <message>
        <location filename="../console/scene/topologyscene.cpp" line="112"/>
        <source>System leader</source>
        <translation>Systemleiter</translation>
    </message>
    <message>
        <location filename="../console/scene/topologyscene.cpp" line="118"/>
        <source>Leads %1</source>
        <translation>Leitet %1</translation>
    </message>
    <message>
        <location filename="../console/scene/topologyscene.cpp" line="124"/>
        <source>adapter failed</source>
        <translation>Adapter ausgefallen</translation>
    </message>
    <message numerus="yes">
        <location filename="../console/scene/topologyscene.cpp" line="301"/>
        <source>and %n more</source>
        <translation>
            <numerusform>und %n weiterer</numerusform>
            <numerusform>und %n weitere</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../console/scene/topologyscene.cpp" line="302"/>
        <source>Network %1</source>
        <translation>Netz %1</translation>
    </message>
    <message>
        <location filename="../console/scene/topologyscene.cpp" line="303"/>
        <source>Nodes: %1</source>
        <translation>Knoten: %1</translation>
    </message>
    <message>
        <location filename="../console/scene/topologyscene.cpp" line="325"/>
        <source>%1 %2 on %3</source>
        <translation>%1 %2 auf %3</translation>
    </message>
    <message>
        <location filename="../console/scene/topologyscene.cpp" line="454"/>
        <source>Tunnel %1 %2 %3 ⇄ %4 %5 %6</source>
        <translation>Tunnel %1 %2 %3 ⇄ %4 %5 %6</translation>
    </message>
    <message>
        <location filename="../console/scene/topologyscene.cpp" line="458"/>
        <source>pending: an end is not yet in the GL_group</source>
        <translation>ausstehend: ein Ende ist noch nicht in der GL_group</translation>
    </message>
    <message>
        <location filename="../console/scene/topologyitems.cpp" line="233"/>
        <source>no leader</source>
        <translation>kein Leiter</translation>
    </message>
    <message>
        <location filename="../console/scene/topologyitems.cpp" line="234"/>
        <source>leader %1</source>
        <translation>Leiter %1</translation>
    </message>
    <message numerus="yes">
        <location filename="../console/scene/topologyitems.cpp" line="235"/>
        <source>· %1/%n up</source>
        <translation>
            <numerusform>· %1/%n aktiv</numerusform>
            <numerusform>· %1/%n aktiv</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../console/scene/topologyitems.cpp" line="630"/>
        <source>carries %1</source>
        <translation>trägt %1</translation>
    </message>
    <message>
        <location filename="../console/scene/topologyitems.cpp" line="639"/>
        <location filename="../console/scene/topologyitems.cpp" line="724"/>
        <source>%1 (pending)</source>
        <translation>%1 (ausstehend)</translation>
    </message>
    <message>
        <location filename="../console/scene/topologyitems.cpp" line="804"/>
        <location filename="../console/scene/topologyitems.cpp" line="829"/>
        <source>Legend</source>
        <translation>Legende</translation>
    </message>
</context>
</TS>
