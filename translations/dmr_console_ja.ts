<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="ja_JP">
<context>
    <name>dmr::console</name>
    <message>
        <location filename="../console/client/endpoint.cpp" line="17"/>
        <source>invalid agent address &quot;%1&quot;: %2</source>
        <translation>無効なエージェントアドレス &quot;%1&quot;: %2</translation>
    </message>
    <message>
        <location filename="../console/client/endpoint.cpp" line="22"/>
        <source>empty</source>
        <translation>空</translation>
    </message>
    <message>
        <location filename="../console/client/endpoint.cpp" line="29"/>
        <source>missing &quot;]&quot; after the IPv6 address</source>
        <translation>IPv6 アドレスの後に &quot;]&quot; がありません</translation>
    </message>
    <message>
        <location filename="../console/client/endpoint.cpp" line="34"/>
        <source>expected &quot;:PORT&quot; after &quot;]&quot;</source>
        <translation>&quot;]&quot; の後に &quot;:PORT&quot; が必要です</translation>
    </message>
    <message>
        <location filename="../console/client/endpoint.cpp" line="37"/>
        <location filename="../console/client/endpoint.cpp" line="44"/>
        <source>empty port</source>
        <translation>ポートが空です</translation>
    </message>
    <message>
        <location filename="../console/client/endpoint.cpp" line="47"/>
        <source>empty host</source>
        <translation>ホストが空です</translation>
    </message>
    <message>
        <location filename="../console/client/endpoint.cpp" line="55"/>
        <source>port &quot;%1&quot; is not a number from 1 to 65535</source>
        <translation>ポート &quot;%1&quot; は 1〜65535 の数値ではありません</translation>
    </message>
    <message>
        <location filename="../console/client/records.cpp" line="40"/>
        <location filename="../console/client/records.cpp" line="281"/>
        <source>a string or null</source>
        <translation>文字列または null</translation>
    </message>
    <message>
        <location filename="../console/client/records.cpp" line="40"/>
        <location filename="../console/client/records.cpp" line="120"/>
        <source>a string</source>
        <translation>文字列</translation>
    </message>
    <message>
        <location filename="../console/client/records.cpp" line="67"/>
        <source>an integer or null</source>
        <translation>整数または null</translation>
    </message>
    <message>
        <location filename="../console/client/records.cpp" line="67"/>
        <source>an integer</source>
        <translation>整数</translation>
    </message>
    <message>
        <location filename="../console/client/records.cpp" line="75"/>
        <source>a number</source>
        <translation>数値</translation>
    </message>
    <message>
        <location filename="../console/client/records.cpp" line="88"/>
        <source>a boolean</source>
        <translation>真偽値</translation>
    </message>
    <message>
        <location filename="../console/client/records.cpp" line="96"/>
        <source>an array</source>
        <translation>配列</translation>
    </message>
    <message>
        <location filename="../console/client/records.cpp" line="104"/>
        <location filename="../console/client/records.cpp" line="132"/>
        <source>an object</source>
        <translation>オブジェクト</translation>
    </message>
    <message>
        <location filename="../console/client/records.cpp" line="145"/>
        <source>%1: must be %2, found %3</source>
        <translation>%1: %2 である必要がありますが、%3 でした</translation>
    </message>
    <message>
        <location filename="../console/client/records.cpp" line="157"/>
        <source>null</source>
        <translation>null</translation>
    </message>
    <message>
        <location filename="../console/client/records.cpp" line="159"/>
        <source>boolean %1</source>
        <translation>真偽値 %1</translation>
    </message>
    <message>
        <location filename="../console/client/records.cpp" line="161"/>
        <source>number %1</source>
        <translation>数値 %1</translation>
    </message>
    <message>
        <location filename="../console/client/records.cpp" line="163"/>
        <source>string &quot;%1&quot;</source>
        <translation>文字列 &quot;%1&quot;</translation>
    </message>
    <message>
        <location filename="../console/client/records.cpp" line="165"/>
        <source>array</source>
        <translation>配列</translation>
    </message>
    <message>
        <location filename="../console/client/records.cpp" line="167"/>
        <source>object</source>
        <translation>オブジェクト</translation>
    </message>
    <message>
        <location filename="../console/client/records.cpp" line="171"/>
        <source>nothing (missing)</source>
        <translation>なし (欠落)</translation>
    </message>
    <message>
        <location filename="../console/client/records.cpp" line="199"/>
        <source>%1 ms</source>
        <translation>%1 ms</translation>
    </message>
    <message>
        <location filename="../console/client/records.cpp" line="434"/>
        <source>system leader</source>
        <translation>システムリーダー</translation>
    </message>
    <message>
        <location filename="../console/client/records.cpp" line="436"/>
        <source>leader of %1</source>
        <translation>%1 のリーダー</translation>
    </message>
    <message>
        <location filename="../console/client/records.cpp" line="445"/>
        <source>view of %1: empty</source>
        <translation>%1 のビュー: 空</translation>
    </message>
    <message>
        <location filename="../console/client/records.cpp" line="446"/>
        <source>view of %1: leader %2, members %3</source>
        <translation>%1 のビュー: リーダー %2、メンバー %3</translation>
    </message>
    <message>
        <location filename="../console/client/records.cpp" line="450"/>
        <source>plan unchanged</source>
        <translation>プラン変更なし</translation>
    </message>
    <message>
        <location filename="../console/client/records.cpp" line="452"/>
        <source>plan changed: 1 action: %1</source>
        <translation>プラン変更: 1 件のアクション: %1</translation>
    </message>
    <message>
        <location filename="../console/client/records.cpp" line="453"/>
        <source>plan changed: %1 actions: %2</source>
        <translation>プラン変更: %1 件のアクション: %2</translation>
    </message>
    <message>
        <location filename="../console/client/records.cpp" line="457"/>
        <source>the system leader</source>
        <translation>システムリーダー</translation>
    </message>
    <message>
        <location filename="../console/client/records.cpp" line="458"/>
        <source>nobody</source>
        <translation>なし</translation>
    </message>
    <message>
        <location filename="../console/client/records.cpp" line="460"/>
        <source>failover of %1: %2 -&gt; %3</source>
        <translation>%1 のフェイルオーバー: %2 -&gt; %3</translation>
    </message>
    <message>
        <location filename="../console/client/records.cpp" line="461"/>
        <source>failover of %1: %2 -&gt; %3 (%4)</source>
        <translation>%1 のフェイルオーバー: %2 -&gt; %3 (%4)</translation>
    </message>
    <message>
        <location filename="../console/client/records.cpp" line="472"/>
        <source>drill: %1</source>
        <translation>演習: %1</translation>
    </message>
    <message>
        <location filename="../console/client/records.cpp" line="473"/>
        <source>drill by %1: %2</source>
        <translation>%1 による演習: %2</translation>
    </message>
    <message>
        <location filename="../console/client/records.cpp" line="478"/>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <location filename="../console/client/records.cpp" line="484"/>
        <source>node %1</source>
        <translation>ノード %1</translation>
    </message>
    <message>
        <location filename="../console/client/records.cpp" line="485"/>
        <source>adapter %1 of node %2</source>
        <translation>ノード %2 のアダプター %1</translation>
    </message>
    <message>
        <location filename="../console/client/records.cpp" line="486"/>
        <source>%1 of %2</source>
        <translation>%2 の %1</translation>
    </message>
    <message>
        <location filename="../console/client/records.cpp" line="488"/>
        <source>for %1</source>
        <translation>%1 間</translation>
    </message>
    <message>
        <location filename="../console/models/format.cpp" line="24"/>
        <source>up</source>
        <translation>稼働中</translation>
    </message>
    <message>
        <location filename="../console/models/format.cpp" line="26"/>
        <source>down</source>
        <translation>停止</translation>
    </message>
    <message>
        <location filename="../console/models/format.cpp" line="28"/>
        <source>failed</source>
        <translation>障害</translation>
    </message>
    <message>
        <location filename="../console/models/format.cpp" line="30"/>
        <source>drained</source>
        <translation>ドレイン済み</translation>
    </message>
    <message>
        <location filename="../console/models/format.cpp" line="38"/>
        <source>kill</source>
        <translation>強制終了</translation>
    </message>
    <message>
        <location filename="../console/models/format.cpp" line="40"/>
        <source>fail adapter</source>
        <translation>アダプター障害</translation>
    </message>
    <message>
        <location filename="../console/models/format.cpp" line="42"/>
        <source>drain</source>
        <translation>ドレイン</translation>
    </message>
    <message>
        <location filename="../console/models/format.cpp" line="44"/>
        <source>restore</source>
        <translation>復元</translation>
    </message>
</context>
<context>
    <name>dmr::console::AgentClient</name>
    <message>
        <location filename="../console/client/agent_client.cpp" line="82"/>
        <source>could not connect to %1 within %2 ms</source>
        <translation>%2 ms 以内に %1 へ接続できませんでした</translation>
    </message>
    <message>
        <location filename="../console/client/agent_client.cpp" line="88"/>
        <source>agent at %1 did not answer within %2 ms</source>
        <translation>%1 のエージェントが %2 ms 以内に応答しませんでした</translation>
    </message>
    <message>
        <location filename="../console/client/agent_client.cpp" line="149"/>
        <source>restarted</source>
        <translation>再起動しました</translation>
    </message>
    <message>
        <location filename="../console/client/agent_client.cpp" line="162"/>
        <source>the console disconnected</source>
        <translation>コンソールが切断しました</translation>
    </message>
    <message>
        <location filename="../console/client/agent_client.cpp" line="174"/>
        <source>no agent address to connect to</source>
        <translation>接続先のエージェントアドレスがありません</translation>
    </message>
    <message>
        <location filename="../console/client/agent_client.cpp" line="225"/>
        <source>the connection to the agent closed before it answered (%1); the drill may have been carried out</source>
        <translation>応答前にエージェントとの接続が閉じました (%1)。演習は実行された可能性があります</translation>
    </message>
    <message>
        <location filename="../console/client/agent_client.cpp" line="261"/>
        <source>lost the agent at %1: %2</source>
        <translation>%1 のエージェントとの接続が失われました: %2</translation>
    </message>
    <message>
        <location filename="../console/client/agent_client.cpp" line="262"/>
        <source>could not connect to %1: %2</source>
        <translation>%1 に接続できませんでした: %2</translation>
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
        <translation>%1 のエージェント: %2</translation>
    </message>
    <message>
        <location filename="../console/client/agent_client.cpp" line="306"/>
        <source>agent at %1 sent a line that is not JSON (%2 at offset %3): %4</source>
        <translation>%1 のエージェントが JSON ではない行を送信しました (オフセット %3 で %2): %4</translation>
    </message>
    <message>
        <location filename="../console/client/agent_client.cpp" line="311"/>
        <source>agent at %1 sent a line that is not a JSON object: %2</source>
        <translation>%1 のエージェントが JSON オブジェクトではない行を送信しました: %2</translation>
    </message>
    <message>
        <location filename="../console/client/agent_client.cpp" line="319"/>
        <source>agent at %1 sent a bad event: %2</source>
        <translation>%1 のエージェントが不正なイベントを送信しました: %2</translation>
    </message>
    <message>
        <location filename="../console/client/agent_client.cpp" line="331"/>
        <source>agent at %1 sent a message of unknown type: %2</source>
        <translation>%1 のエージェントが不明な種類のメッセージを送信しました: %2</translation>
    </message>
    <message>
        <location filename="../console/client/agent_client.cpp" line="343"/>
        <source>agent at %1 sent a reply without an id: %2</source>
        <translation>%1 のエージェントが ID のない応答を送信しました: %2</translation>
    </message>
    <message>
        <location filename="../console/client/agent_client.cpp" line="349"/>
        <source>agent at %1 answered a request this console did not send: %2</source>
        <translation>%1 のエージェントが、このコンソールが送信していない要求に応答しました: %2</translation>
    </message>
    <message>
        <location filename="../console/client/agent_client.cpp" line="380"/>
        <source>agent at %1 refused the hello: %2</source>
        <translation>%1 のエージェントが hello を拒否しました: %2</translation>
    </message>
    <message>
        <location filename="../console/client/agent_client.cpp" line="412"/>
        <source>agent at %1 sent a reply without a result object</source>
        <translation>%1 のエージェントが結果オブジェクトのない応答を送信しました</translation>
    </message>
    <message>
        <location filename="../console/client/agent_client.cpp" line="489"/>
        <source>the agent carried out the drill, but its record is unreadable: %1</source>
        <translation>エージェントは演習を実行しましたが、その記録を読み取れません: %1</translation>
    </message>
    <message>
        <location filename="../console/client/agent_client.cpp" line="500"/>
        <source>%1: carried out (drill %2)</source>
        <translation>%1: 実行済み (演習 %2)</translation>
    </message>
    <message>
        <location filename="../console/client/agent_client.cpp" line="501"/>
        <source>%1: carried out by agent %2 (drill %3)</source>
        <translation>%1: エージェント %2 が実行 (演習 %3)</translation>
    </message>
    <message>
        <location filename="../console/client/agent_client.cpp" line="533"/>
        <source>agent %1 at %2 is not in the cluster (view %3); moving to another agent</source>
        <translation>%2 のエージェント %1 はクラスターに属していません (ビュー %3)。別のエージェントに切り替えます</translation>
    </message>
    <message>
        <location filename="../console/client/agent_client.cpp" line="612"/>
        <source>unknown drill action &quot;%1&quot;; expected kill, fail-adapter, drain or restore</source>
        <translation>不明な演習アクション &quot;%1&quot;。kill、fail-adapter、drain、restore のいずれかを指定してください</translation>
    </message>
    <message>
        <location filename="../console/client/agent_client.cpp" line="616"/>
        <source>not connected to an agent</source>
        <translation>エージェントに接続されていません</translation>
    </message>
</context>
<context>
    <name>dmr::console::DrillDialog</name>
    <message>
        <location filename="../console/drilldialog.cpp" line="49"/>
        <source>system leader</source>
        <translation>システムリーダー</translation>
    </message>
    <message>
        <location filename="../console/drilldialog.cpp" line="51"/>
        <source>leader of %1</source>
        <translation>%1 のリーダー</translation>
    </message>
    <message>
        <location filename="../console/drilldialog.cpp" line="53"/>
        <source>member</source>
        <translation>メンバー</translation>
    </message>
    <message>
        <location filename="../console/drilldialog.cpp" line="64"/>
        <source>Nothing moves: %1 comes back and joins its groups at the end.</source>
        <translation>変更なし: %1 が復帰し、各グループの末尾に参加します。</translation>
    </message>
    <message>
        <location filename="../console/drilldialog.cpp" line="75"/>
        <source>%1 has no adapter %2.</source>
        <translation>%1 にアダプター %2 はありません。</translation>
    </message>
    <message>
        <location filename="../console/drilldialog.cpp" line="77"/>
        <source>%1 leaves network %2 (adapter %3).</source>
        <translation>%1 がネットワーク %2 から離脱します (アダプター %3)。</translation>
    </message>
    <message>
        <location filename="../console/drilldialog.cpp" line="83"/>
        <source>%1: loses its leader %2; nobody takes over.</source>
        <translation>%1: リーダー %2 を失い、引き継ぐノードはありません。</translation>
    </message>
    <message>
        <location filename="../console/drilldialog.cpp" line="84"/>
        <source>%1: leader %2 → %3</source>
        <translation>%1: リーダー %2 → %3</translation>
    </message>
    <message>
        <location filename="../console/drilldialog.cpp" line="90"/>
        <source>System leader %1: nobody takes over.</source>
        <translation>システムリーダー %1: 引き継ぐノードはありません。</translation>
    </message>
    <message>
        <location filename="../console/drilldialog.cpp" line="91"/>
        <source>System leader: %1 → %2</source>
        <translation>システムリーダー: %1 → %2</translation>
    </message>
    <message>
        <location filename="../console/drilldialog.cpp" line="94"/>
        <source>No roles move: %1 leads nothing.</source>
        <translation>役割の移動なし: %1 は何もリードしていません。</translation>
    </message>
    <message>
        <location filename="../console/drilldialog.cpp" line="111"/>
        <source>%1 %2</source>
        <translation>%1 %2</translation>
    </message>
    <message>
        <location filename="../console/drilldialog.cpp" line="112"/>
        <source>Drill: %1 node %2</source>
        <translation>演習: ノード %2 を%1</translation>
    </message>
    <message>
        <location filename="../console/drilldialog.cpp" line="115"/>
        <source>&lt;b&gt;%1&lt;/b&gt; node &lt;b&gt;%2&lt;/b&gt;</source>
        <translation>ノード &lt;b&gt;%2&lt;/b&gt; を&lt;b&gt;%1&lt;/b&gt;</translation>
    </message>
    <message>
        <location filename="../console/drilldialog.cpp" line="116"/>
        <source>Roles: %1</source>
        <translation>役割: %1</translation>
    </message>
    <message>
        <location filename="../console/drilldialog.cpp" line="116"/>
        <source>, </source>
        <translation>、</translation>
    </message>
    <message>
        <location filename="../console/drilldialog.cpp" line="117"/>
        <source>What will move:</source>
        <translation>移動する役割:</translation>
    </message>
    <message>
        <location filename="../console/drilldialog.cpp" line="126"/>
        <source>Why (required): shown in the audit trail</source>
        <translation>理由 (必須): 監査ログに表示されます</translation>
    </message>
    <message>
        <location filename="../console/drilldialog.cpp" line="128"/>
        <source> s</source>
        <translation> 秒</translation>
    </message>
    <message>
        <location filename="../console/drilldialog.cpp" line="129"/>
        <source>until restored</source>
        <translation>復元まで</translation>
    </message>
    <message>
        <location filename="../console/drilldialog.cpp" line="133"/>
        <source>&amp;Reason:</source>
        <translation>理由(&amp;R):</translation>
    </message>
    <message>
        <location filename="../console/drilldialog.cpp" line="134"/>
        <source>&amp;Duration:</source>
        <translation>期間(&amp;D):</translation>
    </message>
    <message>
        <location filename="../console/drilldialog.cpp" line="139"/>
        <source>Run drill</source>
        <translation>演習を実行</translation>
    </message>
</context>
<context>
    <name>dmr::console::DrillModel</name>
    <message>
        <location filename="../console/models/drill_model.cpp" line="112"/>
        <source>until a restore</source>
        <translation>復元まで</translation>
    </message>
    <message>
        <location filename="../console/models/drill_model.cpp" line="114"/>
        <source>in force</source>
        <translation>実施中</translation>
    </message>
    <message>
        <location filename="../console/models/drill_model.cpp" line="116"/>
        <source>forwarded by agent %1</source>
        <translation>エージェント %1 が転送</translation>
    </message>
    <message>
        <location filename="../console/models/drill_model.cpp" line="153"/>
        <source>Started</source>
        <translation>開始</translation>
    </message>
    <message>
        <location filename="../console/models/drill_model.cpp" line="155"/>
        <source>Action</source>
        <translation>アクション</translation>
    </message>
    <message>
        <location filename="../console/models/drill_model.cpp" line="157"/>
        <source>Node</source>
        <translation>ノード</translation>
    </message>
    <message>
        <location filename="../console/models/drill_model.cpp" line="159"/>
        <source>Interface</source>
        <translation>インターフェース</translation>
    </message>
    <message>
        <location filename="../console/models/drill_model.cpp" line="161"/>
        <source>Reason</source>
        <translation>理由</translation>
    </message>
    <message>
        <location filename="../console/models/drill_model.cpp" line="163"/>
        <source>Client</source>
        <translation>クライアント</translation>
    </message>
    <message>
        <location filename="../console/models/drill_model.cpp" line="165"/>
        <source>Duration (ms)</source>
        <translation>期間 (ms)</translation>
    </message>
    <message>
        <location filename="../console/models/drill_model.cpp" line="167"/>
        <source>Ended</source>
        <translation>終了</translation>
    </message>
    <message>
        <location filename="../console/models/drill_model.cpp" line="169"/>
        <source>Via</source>
        <translation>経由</translation>
    </message>
</context>
<context>
    <name>dmr::console::EventLogModel</name>
    <message>
        <location filename="../console/models/event_log_model.cpp" line="90"/>
        <source>view changed</source>
        <translation>ビュー変更</translation>
    </message>
    <message>
        <location filename="../console/models/event_log_model.cpp" line="92"/>
        <source>plan changed</source>
        <translation>プラン変更</translation>
    </message>
    <message>
        <location filename="../console/models/event_log_model.cpp" line="94"/>
        <source>failover</source>
        <translation>フェイルオーバー</translation>
    </message>
    <message>
        <location filename="../console/models/event_log_model.cpp" line="96"/>
        <source>drill</source>
        <translation>演習</translation>
    </message>
    <message>
        <location filename="../console/models/event_log_model.cpp" line="124"/>
        <source>%1, reported by agent %2</source>
        <translation>%1 (エージェント %2 が報告)</translation>
    </message>
    <message>
        <location filename="../console/models/event_log_model.cpp" line="169"/>
        <source>Time</source>
        <translation>時刻</translation>
    </message>
    <message>
        <location filename="../console/models/event_log_model.cpp" line="171"/>
        <source>Event</source>
        <translation>イベント</translation>
    </message>
    <message>
        <location filename="../console/models/event_log_model.cpp" line="173"/>
        <source>Summary</source>
        <translation>概要</translation>
    </message>
</context>
<context>
    <name>dmr::console::GroupModel</name>
    <message>
        <location filename="../console/models/group_model.cpp" line="218"/>
        <source>none</source>
        <translation>なし</translation>
    </message>
    <message>
        <location filename="../console/models/group_model.cpp" line="227"/>
        <source>The group of group leaders; its first member is the system leader</source>
        <translation>グループリーダーのグループ。最初のメンバーがシステムリーダーです</translation>
    </message>
    <message>
        <location filename="../console/models/group_model.cpp" line="229"/>
        <source>%1 has no members: nobody routes it</source>
        <translation>%1 にメンバーがいません: ルーティングするノードはありません</translation>
    </message>
    <message>
        <location filename="../console/models/group_model.cpp" line="230"/>
        <source>%1 is routed by node %2</source>
        <translation>%1 はノード %2 がルーティングしています</translation>
    </message>
    <message>
        <location filename="../console/models/group_model.cpp" line="274"/>
        <source>system leader</source>
        <translation>システムリーダー</translation>
    </message>
    <message>
        <location filename="../console/models/group_model.cpp" line="274"/>
        <source>leader</source>
        <translation>リーダー</translation>
    </message>
    <message>
        <location filename="../console/models/group_model.cpp" line="318"/>
        <source>Group / member</source>
        <translation>グループ / メンバー</translation>
    </message>
    <message>
        <location filename="../console/models/group_model.cpp" line="320"/>
        <source>Leader</source>
        <translation>リーダー</translation>
    </message>
    <message>
        <location filename="../console/models/group_model.cpp" line="322"/>
        <source>Interface</source>
        <translation>インターフェース</translation>
    </message>
    <message>
        <location filename="../console/models/group_model.cpp" line="324"/>
        <source>Join seq</source>
        <translation>参加順</translation>
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
        <translation>なし</translation>
    </message>
    <message>
        <location filename="../console/models/history_model.cpp" line="105"/>
        <source>detected %1, new view %2 at %3</source>
        <translation>%1 に検出、%3 に新しいビュー %2</translation>
    </message>
    <message>
        <location filename="../console/models/history_model.cpp" line="108"/>
        <source>waiting for the new routing points to report their tunnels up</source>
        <translation>新しいルーティングポイントがトンネルの稼働を報告するのを待っています</translation>
    </message>
    <message>
        <location filename="../console/models/history_model.cpp" line="149"/>
        <source>Detected</source>
        <translation>検出</translation>
    </message>
    <message>
        <location filename="../console/models/history_model.cpp" line="151"/>
        <source>Node</source>
        <translation>ノード</translation>
    </message>
    <message>
        <location filename="../console/models/history_model.cpp" line="153"/>
        <source>Cause</source>
        <translation>原因</translation>
    </message>
    <message>
        <location filename="../console/models/history_model.cpp" line="155"/>
        <source>Roles lost</source>
        <translation>失われた役割</translation>
    </message>
    <message>
        <location filename="../console/models/history_model.cpp" line="157"/>
        <source>Successors</source>
        <translation>後継</translation>
    </message>
    <message>
        <location filename="../console/models/history_model.cpp" line="159"/>
        <source>Silent (ms)</source>
        <translation>無応答 (ms)</translation>
    </message>
    <message>
        <location filename="../console/models/history_model.cpp" line="161"/>
        <source>Election (ms)</source>
        <translation>選出 (ms)</translation>
    </message>
    <message>
        <location filename="../console/models/history_model.cpp" line="163"/>
        <source>Tunnels (ms)</source>
        <translation>トンネル (ms)</translation>
    </message>
    <message>
        <location filename="../console/models/history_model.cpp" line="165"/>
        <source>Total (ms)</source>
        <translation>合計 (ms)</translation>
    </message>
</context>
<context>
    <name>dmr::console::MainWindow</name>
    <message>
        <location filename="../console/mainwindow.cpp" line="123"/>
        <source>no snapshot to export yet</source>
        <translation>エクスポートできるスナップショットがまだありません</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="128"/>
        <source>%1: unknown format (use .png, .svg, .json or .dot)</source>
        <translation>%1: 不明な形式です (.png、.svg、.json、.dot を使用してください)</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="137"/>
        <source>&lt;i&gt;No node selected. Click a node in the topology.&lt;/i&gt;</source>
        <translation>&lt;i&gt;ノードが選択されていません。トポロジー内のノードをクリックしてください。&lt;/i&gt;</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="138"/>
        <source>&lt;h3&gt;Node %1&lt;/h3&gt;</source>
        <translation>&lt;h3&gt;ノード %1&lt;/h3&gt;</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="140"/>
        <source>&lt;p&gt;State: &lt;b&gt;%1&lt;/b&gt;&lt;/p&gt;</source>
        <translation>&lt;p&gt;状態: &lt;b&gt;%1&lt;/b&gt;&lt;/p&gt;</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="142"/>
        <source>&lt;p&gt;&lt;b&gt;Roles:&lt;/b&gt; %1&lt;/p&gt;</source>
        <translation>&lt;p&gt;&lt;b&gt;役割:&lt;/b&gt; %1&lt;/p&gt;</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="143"/>
        <location filename="../console/mainwindow.cpp" line="195"/>
        <source>, </source>
        <translation>、</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="145"/>
        <source>&lt;p&gt;&lt;b&gt;Interfaces:&lt;/b&gt;&lt;/p&gt;&lt;ul&gt;</source>
        <translation>&lt;p&gt;&lt;b&gt;インターフェース:&lt;/b&gt;&lt;/p&gt;&lt;ul&gt;</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="152"/>
        <source> (failed)</source>
        <translation> (障害)</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="157"/>
        <source>&lt;p&gt;&lt;b&gt;Groups&lt;/b&gt; (position in join order):&lt;/p&gt;&lt;ul&gt;</source>
        <translation>&lt;p&gt;&lt;b&gt;グループ&lt;/b&gt; (参加順の位置):&lt;/p&gt;&lt;ul&gt;</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="161"/>
        <source>%1 of %2%3</source>
        <translation>%2 中 %1%3</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="164"/>
        <source>, leader</source>
        <translation>、リーダー</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="180"/>
        <location filename="../console/mainwindow.cpp" line="199"/>
        <source>&lt;li&gt;none&lt;/li&gt;</source>
        <translation>&lt;li&gt;なし&lt;/li&gt;</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="184"/>
        <source>&lt;p&gt;&lt;b&gt;Tunnel ends:&lt;/b&gt;&lt;/p&gt;&lt;ul&gt;</source>
        <translation>&lt;p&gt;&lt;b&gt;トンネル端点:&lt;/b&gt;&lt;/p&gt;&lt;ul&gt;</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="193"/>
        <source>%1 %2 ↔ node %3 %4 %5 (%6)</source>
        <translation>%1 %2 ↔ ノード %3 %4 %5 (%6)</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="212"/>
        <source>DMR console</source>
        <translation>DMR コンソール</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="222"/>
        <source>DMR console — %1 (view %2)</source>
        <translation>DMR コンソール — %1 (ビュー %2)</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="247"/>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="251"/>
        <source>Drill %1 done: %2</source>
        <translation>演習 %1 完了: %2</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="252"/>
        <source>Drill %1 failed: %2</source>
        <translation>演習 %1 失敗: %2</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="275"/>
        <source>Node</source>
        <translation>ノード</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="286"/>
        <source>Nodes</source>
        <translation>ノード</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="298"/>
        <source>Filter events</source>
        <translation>イベントを絞り込み</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="315"/>
        <source>Events</source>
        <translation>イベント</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="321"/>
        <source>Failover time</source>
        <translation>フェイルオーバー時間</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="325"/>
        <source>total ms</source>
        <translation>合計 ms</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="332"/>
        <source>detected</source>
        <translation>検出</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="334"/>
        <source>total (ms)</source>
        <translation>合計 (ms)</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="357"/>
        <source>Failovers</source>
        <translation>フェイルオーバー</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="362"/>
        <source>Drills</source>
        <translation>演習</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="378"/>
        <source>Rows: the receiving node. Columns: the node whose probes it hears. Cells: the share of recent probes lost.</source>
        <translation>行: 受信ノード。列: そのプローブを受信するノード。セル: 直近のプローブの損失率。</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="387"/>
        <source>Reachability</source>
        <translation>到達性</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="407"/>
        <source>No reachability data: the agent has no probe, or has not answered yet.</source>
        <translation>到達性データなし: エージェントにプローブがないか、まだ応答していません。</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="425"/>
        <source>%1 of %2 probing nodes hear every other one.</source>
        <translation>プローブ中の %2 ノードのうち %1 ノードが他のすべてを受信しています。</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="427"/>
        <source>Not heard by anyone: %1.</source>
        <translation>誰にも受信されていない: %1。</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="433"/>
        <source>&amp;File</source>
        <translation>ファイル(&amp;F)</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="437"/>
        <source>&amp;Export…</source>
        <translation>エクスポート(&amp;E)…</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="441"/>
        <source>&amp;Quit</source>
        <translation>終了(&amp;Q)</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="444"/>
        <source>&amp;View</source>
        <translation>表示(&amp;V)</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="445"/>
        <source>&amp;Fit</source>
        <translation>全体を表示(&amp;F)</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="448"/>
        <source>Zoom &amp;in</source>
        <translation>拡大(&amp;I)</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="451"/>
        <source>Zoom &amp;out</source>
        <translation>縮小(&amp;O)</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="454"/>
        <source>&amp;Find node…</source>
        <translation>ノードを検索(&amp;F)…</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="458"/>
        <source>&amp;Dark palette</source>
        <translation>ダークパレット(&amp;D)</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="465"/>
        <source>&amp;Panels</source>
        <translation>パネル(&amp;P)</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="471"/>
        <source>&amp;Drill</source>
        <translation>演習(&amp;D)</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="493"/>
        <source>Drill on the selected node</source>
        <translation>選択したノードで訓練</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="495"/>
        <source>Main</source>
        <translation>メイン</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="523"/>
        <source>%1 node %2</source>
        <translation>%1 ノード %2</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="524"/>
        <location filename="../console/mainwindow.cpp" line="534"/>
        <location filename="../console/mainwindow.cpp" line="550"/>
        <source>Select a node first</source>
        <translation>先にノードを選択してください</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="553"/>
        <source>Node %1</source>
        <translation>ノード %1</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="472"/>
        <location filename="../console/mainwindow.cpp" line="557"/>
        <source>&amp;Kill…</source>
        <translation>強制終了(&amp;K)…</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="477"/>
        <location filename="../console/mainwindow.cpp" line="559"/>
        <source>Fail &amp;adapter</source>
        <translation>アダプター障害(&amp;A)</translation>
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
        <translation>ドレイン(&amp;D)…</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="487"/>
        <location filename="../console/mainwindow.cpp" line="562"/>
        <source>&amp;Restore…</source>
        <translation>復元(&amp;R)…</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="584"/>
        <source>Operator token</source>
        <translation>オペレータートークン</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="584"/>
        <source>Drills need the operator token:</source>
        <translation>演習にはオペレータートークンが必要です:</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="594"/>
        <source>Reconnecting with the operator token…</source>
        <translation>オペレータートークンで再接続しています…</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="608"/>
        <source>Drill %1 sent: %2 %3</source>
        <translation>演習 %1 を送信: %2 %3</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="633"/>
        <source>Find node</source>
        <translation>ノードを検索</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="633"/>
        <source>Node id or address:</source>
        <translation>ノード ID またはアドレス:</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="639"/>
        <source>No node matches “%1”</source>
        <translation>「%1」に一致するノードはありません</translation>
    </message>
    <message numerus="yes">
        <location filename="../console/mainwindow.cpp" line="644"/>
        <source>%n node(s) match</source>
        <translation>
            <numerusform>%n 個のノードが一致</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="688"/>
        <source>No agent</source>
        <translation>エージェントなし</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="695"/>
        <source>Disconnected</source>
        <translation>切断</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="696"/>
        <source>Disconnected: %1</source>
        <translation>切断: %1</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="699"/>
        <source>Connecting to %1…</source>
        <translation>%1 に接続しています…</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="703"/>
        <source>Connected to %1 (agent %2, operator)</source>
        <translation>%1 に接続済み (エージェント %2、オペレーター)</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="704"/>
        <source>Connected to %1 (agent %2, read-only)</source>
        <translation>%1 に接続済み (エージェント %2、読み取り専用)</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="707"/>
        <source>Reconnecting (next: %1)…</source>
        <translation>再接続しています (次: %1)…</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="716"/>
        <source>Export</source>
        <translation>エクスポート</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="717"/>
        <source>PNG image (*.png);;SVG image (*.svg);;Snapshot JSON (*.json);;GraphViz DOT (*.dot)</source>
        <translation>PNG 画像 (*.png);;SVG 画像 (*.svg);;スナップショット JSON (*.json);;GraphViz DOT (*.dot)</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="722"/>
        <source>Saved %1</source>
        <translation>%1 を保存しました</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="724"/>
        <source>Export failed: %1</source>
        <translation>エクスポートに失敗しました: %1</translation>
    </message>
</context>
<context>
    <name>dmr::console::NodeTableModel</name>
    <message>
        <location filename="../console/models/node_table_model.cpp" line="99"/>
        <source>system leader</source>
        <translation>システムリーダー</translation>
    </message>
    <message>
        <location filename="../console/models/node_table_model.cpp" line="101"/>
        <source>leader of 1 network</source>
        <translation>1 個のネットワークのリーダー</translation>
    </message>
    <message>
        <location filename="../console/models/node_table_model.cpp" line="102"/>
        <source>leader of %1 networks</source>
        <translation>%1 個のネットワークのリーダー</translation>
    </message>
    <message>
        <location filename="../console/models/node_table_model.cpp" line="104"/>
        <source>member</source>
        <translation>メンバー</translation>
    </message>
    <message>
        <location filename="../console/models/node_table_model.cpp" line="136"/>
        <source>%1 (failed)</source>
        <translation>%1 (障害)</translation>
    </message>
    <message>
        <location filename="../console/models/node_table_model.cpp" line="144"/>
        <source>Routing point of %1</source>
        <translation>%1 のルーティングポイント</translation>
    </message>
    <message>
        <location filename="../console/models/node_table_model.cpp" line="199"/>
        <source>Node</source>
        <translation>ノード</translation>
    </message>
    <message>
        <location filename="../console/models/node_table_model.cpp" line="201"/>
        <source>State</source>
        <translation>状態</translation>
    </message>
    <message>
        <location filename="../console/models/node_table_model.cpp" line="203"/>
        <source>Roles</source>
        <translation>役割</translation>
    </message>
    <message>
        <location filename="../console/models/node_table_model.cpp" line="205"/>
        <source>Networks</source>
        <translation>ネットワーク</translation>
    </message>
    <message>
        <location filename="../console/models/node_table_model.cpp" line="207"/>
        <source>Interfaces</source>
        <translation>インターフェース</translation>
    </message>
</context>
<context>
    <name>dmr::console::ReachabilityModel</name>
    <message>
        <location filename="../console/models/reachability_model.cpp" line="111"/>
        <source>Node %1</source>
        <translation>ノード %1</translation>
    </message>
    <message>
        <location filename="../console/models/reachability_model.cpp" line="113"/>
        <source>Node %1 did not answer: it is down or out of the cluster</source>
        <translation>ノード %1 が応答しません: ダウンしているかクラスタ外です</translation>
    </message>
    <message>
        <location filename="../console/models/reachability_model.cpp" line="115"/>
        <source>Node %1 does not run the reachability probe</source>
        <translation>ノード %1 は到達性プローブを実行していません</translation>
    </message>
    <message>
        <location filename="../console/models/reachability_model.cpp" line="117"/>
        <source>%1 does not hear %2: last heard %3 ms ago; %4 received, %5 lost</source>
        <translation>%1 は %2 を受信していません: 最終受信 %3 ms 前; 受信 %4、損失 %5</translation>
    </message>
    <message>
        <location filename="../console/models/reachability_model.cpp" line="122"/>
        <source>%1 has never heard %2</source>
        <translation>%1 は %2 を一度も受信していません</translation>
    </message>
    <message>
        <location filename="../console/models/reachability_model.cpp" line="124"/>
        <source>%1 hears %2: %3% of the recent probes lost; %4 received, %5 lost, %6 duplicated in all; last heard %7 ms ago</source>
        <translation>%1 は %2 を受信: 直近のプローブの %3% を損失; 合計 受信 %4、損失 %5、重複 %6; 最終受信 %7 ms 前</translation>
    </message>
    <message>
        <location filename="../console/models/reachability_model.cpp" line="134"/>
        <source>%1; via %2</source>
        <translation>%1; 経路 %2</translation>
    </message>
    <message>
        <location filename="../console/models/reachability_model.cpp" line="163"/>
        <source>Probes sent by node %1</source>
        <translation>ノード %1 が送信したプローブ</translation>
    </message>
    <message>
        <location filename="../console/models/reachability_model.cpp" line="164"/>
        <source>What node %1 hears</source>
        <translation>ノード %1 が受信するもの</translation>
    </message>
</context>
<context>
    <name>dmr::console::TopologyScene</name>
    <message>
        <location filename="../console/scene/export.cpp" line="28"/>
        <location filename="../console/scene/export.cpp" line="33"/>
        <source>cannot write %1: %2</source>
        <translation>%1 に書き込めません: %2</translation>
    </message>
    <message>
        <location filename="../console/scene/export.cpp" line="72"/>
        <source>cannot allocate a %1×%2 image</source>
        <translation>%1×%2 の画像を確保できません</translation>
    </message>
    <message>
        <location filename="../console/scene/export.cpp" line="91"/>
        <source>cannot encode %1 as PNG: %2</source>
        <translation>%1 を PNG にエンコードできません: %2</translation>
    </message>
    <message>
        <location filename="../console/scene/export.cpp" line="106"/>
        <source>Cluster %1 at %2</source>
        <translation>クラスター %1 (%2 時点)</translation>
    </message>
    <message>
        <location filename="../console/scene/export.cpp" line="117"/>
        <source>DMR topology</source>
        <translation>DMR トポロジー</translation>
    </message>
    <message>
        <location filename="../console/scene/export.cpp" line="126"/>
        <source>cannot render %1 as SVG</source>
        <translation>%1 を SVG として描画できません</translation>
    </message>
    <message>
        <location filename="../console/scene/topologyitems.cpp" line="761"/>
        <source>system leader</source>
        <translation>システムリーダー</translation>
    </message>
    <message>
        <location filename="../console/scene/topologyitems.cpp" line="763"/>
        <source>group leader (routes its network)</source>
        <translation>グループリーダー (ネットワークをルーティング)</translation>
    </message>
    <message>
        <location filename="../console/scene/topologyitems.cpp" line="764"/>
        <source>node up</source>
        <translation>ノード稼働中</translation>
    </message>
    <message>
        <location filename="../console/scene/topologyitems.cpp" line="765"/>
        <source>node failed</source>
        <translation>ノード障害</translation>
    </message>
    <message>
        <location filename="../console/scene/topologyitems.cpp" line="766"/>
        <source>node drained (maintenance)</source>
        <translation>ノードドレイン済み (保守)</translation>
    </message>
    <message>
        <location filename="../console/scene/topologyitems.cpp" line="767"/>
        <source>node down (not started)</source>
        <translation>ノード停止 (未起動)</translation>
    </message>
    <message>
        <location filename="../console/scene/topologyitems.cpp" line="768"/>
        <source>failed adapter</source>
        <translation>障害アダプター</translation>
    </message>
    <message>
        <location filename="../console/scene/topologyitems.cpp" line="770"/>
        <source>unreachable (no node hears its probes)</source>
        <translation>到達不能 (どのノードもプローブを受信していない)</translation>
    </message>
    <message>
        <location filename="../console/scene/topologyitems.cpp" line="771"/>
        <source>tunnel up</source>
        <translation>トンネル稼働中</translation>
    </message>
    <message>
        <location filename="../console/scene/topologyitems.cpp" line="772"/>
        <source>tunnel pending</source>
        <translation>トンネル保留中</translation>
    </message>
    <message>
        <location filename="../console/scene/topologyscene.cpp" line="44"/>
        <location filename="../console/scene/topologyscene.cpp" line="458"/>
        <source>up</source>
        <translation>稼働中</translation>
    </message>
    <message>
        <location filename="../console/scene/topologyscene.cpp" line="46"/>
        <source>failed</source>
        <translation>障害</translation>
    </message>
    <message>
        <location filename="../console/scene/topologyscene.cpp" line="48"/>
        <source>drained</source>
        <translation>ドレイン済み</translation>
    </message>
    <message>
        <location filename="../console/scene/topologyscene.cpp" line="52"/>
        <source>down</source>
        <translation>停止</translation>
    </message>
    <message>
        <location filename="../console/scene/topologyscene.cpp" line="110"/>
        <source>Node %1: %2</source>
        <translation>ノード %1: %2</translation>
    </message>
    <message>
        <location filename="../console/scene/topologyscene.cpp" line="112"/>
        <source>System leader</source>
        <translation>システムリーダー</translation>
    </message>
    <message>
        <location filename="../console/scene/topologyscene.cpp" line="118"/>
        <source>Leads %1</source>
        <translation>%1 をリード</translation>
    </message>
    <message>
        <location filename="../console/scene/topologyscene.cpp" line="124"/>
        <source>adapter failed</source>
        <translation>アダプター障害</translation>
    </message>
    <message numerus="yes">
        <location filename="../console/scene/topologyscene.cpp" line="301"/>
        <source>and %n more</source>
        <translation>
            <numerusform>ほか %n 件</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../console/scene/topologyscene.cpp" line="302"/>
        <source>Network %1</source>
        <translation>ネットワーク %1</translation>
    </message>
    <message>
        <location filename="../console/scene/topologyscene.cpp" line="303"/>
        <source>Nodes: %1</source>
        <translation>ノード: %1</translation>
    </message>
    <message>
        <location filename="../console/scene/topologyscene.cpp" line="325"/>
        <source>%1 %2 on %3</source>
        <translation>%3 上の %1 %2</translation>
    </message>
    <message>
        <location filename="../console/scene/topologyscene.cpp" line="454"/>
        <source>Tunnel %1 %2 %3 ⇄ %4 %5 %6</source>
        <translation>トンネル %1 %2 %3 ⇄ %4 %5 %6</translation>
    </message>
    <message>
        <location filename="../console/scene/topologyscene.cpp" line="458"/>
        <source>pending: an end is not yet in the GL_group</source>
        <translation>保留中: 端点の一方がまだ GL_group に属していません</translation>
    </message>
    <message>
        <location filename="../console/scene/topologyitems.cpp" line="233"/>
        <source>no leader</source>
        <translation>リーダーなし</translation>
    </message>
    <message>
        <location filename="../console/scene/topologyitems.cpp" line="234"/>
        <source>leader %1</source>
        <translation>リーダー %1</translation>
    </message>
    <message numerus="yes">
        <location filename="../console/scene/topologyitems.cpp" line="235"/>
        <source>· %1/%n up</source>
        <translation>
            <numerusform>· %1/%n 稼働中</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../console/scene/topologyitems.cpp" line="630"/>
        <source>carries %1</source>
        <translation>%1 を担当</translation>
    </message>
    <message>
        <location filename="../console/scene/topologyitems.cpp" line="639"/>
        <location filename="../console/scene/topologyitems.cpp" line="724"/>
        <source>%1 (pending)</source>
        <translation>%1 (保留中)</translation>
    </message>
    <message>
        <location filename="../console/scene/topologyitems.cpp" line="804"/>
        <location filename="../console/scene/topologyitems.cpp" line="829"/>
        <source>Legend</source>
        <translation>凡例</translation>
    </message>
</context>
</TS>
