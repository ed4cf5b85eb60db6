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
        <location filename="../console/client/records.cpp" line="322"/>
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
        <location filename="../console/client/records.cpp" line="209"/>
        <source>%1 ms</source>
        <translation>%1 ms</translation>
    </message>
    <message>
        <location filename="../console/client/records.cpp" line="368"/>
        <source>an object or null</source>
        <translation>オブジェクトまたは null</translation>
    </message>
    <message>
        <location filename="../console/client/records.cpp" line="551"/>
        <source>connection lost</source>
        <translation>接続断</translation>
    </message>
    <message>
        <location filename="../console/client/records.cpp" line="553"/>
        <source>silent (missed heartbeats)</source>
        <translation>無応答 (ハートビート欠落)</translation>
    </message>
    <message>
        <location filename="../console/client/records.cpp" line="555"/>
        <source>etcd lease expired</source>
        <translation>etcd リース期限切れ</translation>
    </message>
    <message>
        <location filename="../console/client/records.cpp" line="557"/>
        <source>left (stopped)</source>
        <translation>離脱 (停止)</translation>
    </message>
    <message>
        <location filename="../console/client/records.cpp" line="559"/>
        <source>expelled by the coordinator</source>
        <translation>コーディネーターにより除外</translation>
    </message>
    <message>
        <location filename="../console/client/records.cpp" line="563"/>
        <source>adapter failed</source>
        <translation>アダプター障害</translation>
    </message>
    <message>
        <location filename="../console/client/records.cpp" line="565"/>
        <source>roles moved</source>
        <translation>役割の移動</translation>
    </message>
    <message>
        <location filename="../console/client/records.cpp" line="572"/>
        <source>system leader</source>
        <translation>システムリーダー</translation>
    </message>
    <message>
        <location filename="../console/client/records.cpp" line="574"/>
        <source>leader of %1</source>
        <translation>%1 のリーダー</translation>
    </message>
    <message>
        <location filename="../console/client/records.cpp" line="583"/>
        <source>view of %1: empty</source>
        <translation>%1 のビュー: 空</translation>
    </message>
    <message>
        <location filename="../console/client/records.cpp" line="584"/>
        <source>view of %1: leader %2, members %3</source>
        <translation>%1 のビュー: リーダー %2、メンバー %3</translation>
    </message>
    <message>
        <location filename="../console/client/records.cpp" line="588"/>
        <source>plan unchanged</source>
        <translation>プラン変更なし</translation>
    </message>
    <message>
        <location filename="../console/client/records.cpp" line="590"/>
        <source>plan changed: 1 action: %1</source>
        <translation>プラン変更: 1 件のアクション: %1</translation>
    </message>
    <message>
        <location filename="../console/client/records.cpp" line="591"/>
        <source>plan changed: %1 actions: %2</source>
        <translation>プラン変更: %1 件のアクション: %2</translation>
    </message>
    <message>
        <location filename="../console/client/records.cpp" line="595"/>
        <source>the system leader</source>
        <translation>システムリーダー</translation>
    </message>
    <message>
        <location filename="../console/client/records.cpp" line="596"/>
        <source>nobody</source>
        <translation>なし</translation>
    </message>
    <message>
        <location filename="../console/client/records.cpp" line="598"/>
        <source>failover of %1: %2 -&gt; %3</source>
        <translation>%1 のフェイルオーバー: %2 -&gt; %3</translation>
    </message>
    <message>
        <location filename="../console/client/records.cpp" line="599"/>
        <source>failover of %1: %2 -&gt; %3 (%4)</source>
        <translation>%1 のフェイルオーバー: %2 -&gt; %3 (%4)</translation>
    </message>
    <message>
        <location filename="../console/client/records.cpp" line="611"/>
        <source>drill: %1</source>
        <translation>演習: %1</translation>
    </message>
    <message>
        <location filename="../console/client/records.cpp" line="612"/>
        <source>drill by %1: %2</source>
        <translation>%1 による演習: %2</translation>
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
        <translation>ノード %1 の強制終了</translation>
    </message>
    <message>
        <location filename="../console/client/records.cpp" line="627"/>
        <source>drain of node %1</source>
        <translation>ノード %1 のドレイン</translation>
    </message>
    <message>
        <location filename="../console/client/records.cpp" line="629"/>
        <source>failure of adapter %1 of node %2</source>
        <translation>ノード %2 のアダプター %1 の障害</translation>
    </message>
    <message>
        <location filename="../console/client/records.cpp" line="631"/>
        <source>restore of node %1</source>
        <translation>ノード %1 の復元</translation>
    </message>
    <message>
        <location filename="../console/client/records.cpp" line="633"/>
        <source>restore of adapter %1 of node %2</source>
        <translation>ノード %2 のアダプター %1 の復元</translation>
    </message>
    <message>
        <location filename="../console/client/records.cpp" line="635"/>
        <source>%1 of node %2</source>
        <translation>ノード %2 の %1</translation>
    </message>
    <message>
        <location filename="../console/client/records.cpp" line="637"/>
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
        <location filename="../console/client/records.cpp" line="561"/>
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
    <message>
        <location filename="../console/models/plan_timeline.cpp" line="23"/>
        <source>node %1 failed</source>
        <translation>ノード %1 障害</translation>
    </message>
    <message>
        <location filename="../console/models/plan_timeline.cpp" line="26"/>
        <source>node %1 drained</source>
        <translation>ノード %1 ドレイン済み</translation>
    </message>
    <message>
        <location filename="../console/models/plan_timeline.cpp" line="29"/>
        <source>node %1 down</source>
        <translation>ノード %1 停止</translation>
    </message>
    <message>
        <location filename="../console/models/plan_timeline.cpp" line="33"/>
        <source>adapter %1 of node %2 failed</source>
        <translation>ノード %2 のアダプター %1 障害</translation>
    </message>
    <message>
        <location filename="../console/models/plan_timeline.cpp" line="41"/>
        <source>%1 has no leader</source>
        <translation>%1 にリーダーなし</translation>
    </message>
    <message>
        <location filename="../console/cli.cpp" line="14"/>
        <source>Agent control port (default: the last used, or 127.0.0.1:7500); repeat or separate with commas to try several in turn.</source>
        <translation>エージェントの制御ポート (既定: 前回のもの、または 127.0.0.1:7500)。複数を順に試すには繰り返すかカンマで区切ります。</translation>
    </message>
    <message>
        <location filename="../console/cli.cpp" line="17"/>
        <source>Operator token, for drills (default: $DMR_TOKEN).</source>
        <translation>演習用のオペレータートークン (既定: $DMR_TOKEN)。</translation>
    </message>
    <message>
        <location filename="../console/cli.cpp" line="18"/>
        <source>Language of the interface: de, ja or en.</source>
        <translation>画面の言語: de、ja、en。</translation>
    </message>
    <message>
        <location filename="../console/cli.cpp" line="19"/>
        <source>Headless: connect, write the topology to FILE (.png, .svg, .json, .dot) and exit.</source>
        <translation>ウィンドウなし: 接続し、トポロジーを FILE (.png、.svg、.json、.dot) に書き出して終了します。</translation>
    </message>
    <message>
        <location filename="../console/cli.cpp" line="21"/>
        <source>Start dmr-lab on this topology file, connect to it as an operator, and stop it on exit.</source>
        <translation>このトポロジーファイルで dmr-lab を起動し、オペレーターとして接続し、終了時に停止します。</translation>
    </message>
    <message>
        <location filename="../console/cli.cpp" line="23"/>
        <source>The cluster&apos;s topology file: its nodes that never joined are drawn too (--lab sets it).</source>
        <translation>クラスターのトポロジーファイル: 一度も参加していないノードも描画します (--lab で設定されます)。</translation>
    </message>
    <message>
        <location filename="../console/cli.cpp" line="25"/>
        <source>Once the picture has settled, save the window to FILE (.png) and exit (docs/take-screenshots.sh uses it).</source>
        <translation>表示が落ち着いたらウィンドウを FILE (.png) に保存して終了します (docs/take-screenshots.sh が使います)。</translation>
    </message>
    <message>
        <location filename="../console/cli.cpp" line="27"/>
        <source>With --screenshot: the panel in front (events, failovers, timeline, drills, reachability, groups, limits).</source>
        <translation>--screenshot と共に: 前面に出すパネル (events、failovers、timeline、drills、reachability、groups、limits)。</translation>
    </message>
    <message>
        <location filename="../console/cli.cpp" line="29"/>
        <source>With --screenshot: the dark palette.</source>
        <translation>--screenshot と共に: ダークパレット。</translation>
    </message>
    <message>
        <location filename="../console/cli.cpp" line="30"/>
        <source>With --screenshot: select this node.</source>
        <translation>--screenshot と共に: このノードを選択。</translation>
    </message>
    <message>
        <location filename="../console/cli.cpp" line="31"/>
        <source>With --screenshot: show the last failover&apos;s plan before and after.</source>
        <translation>--screenshot と共に: 最後のフェイルオーバーの前後のプランを表示。</translation>
    </message>
    <message>
        <location filename="../console/cli.cpp" line="33"/>
        <source>With --screenshot: the window&apos;s size.</source>
        <translation>--screenshot と共に: ウィンドウの大きさ。</translation>
    </message>
    <message>
        <location filename="../console/cli.cpp" line="34"/>
        <source>With --lab: the lab&apos;s base port (membership BASE+i, control BASE+1000+i; default 17400).</source>
        <translation>--lab と共に: ラボの基準ポート (メンバーシップ BASE+i、制御 BASE+1000+i。既定 17400)。</translation>
    </message>
    <message>
        <location filename="../console/cli.cpp" line="36"/>
        <source>Speak TLS 1.3 to the agents, checking their certificates against this CA (PEM).</source>
        <translation>エージェントと TLS 1.3 で通信し、その証明書をこの CA (PEM) で検証します。</translation>
    </message>
    <message>
        <location filename="../console/cli.cpp" line="38"/>
        <source>This console&apos;s client certificate (PEM), for agents that ask for one.</source>
        <translation>このコンソールのクライアント証明書 (PEM)。証明書を求めるエージェント用です。</translation>
    </message>
    <message>
        <location filename="../console/cli.cpp" line="41"/>
        <source>The client certificate&apos;s private key (PEM).</source>
        <translation>クライアント証明書の秘密鍵 (PEM)。</translation>
    </message>
    <message>
        <location filename="../console/cli.cpp" line="42"/>
        <source>With --lab: the lab makes a throwaway CA and runs its agents in TLS; the console uses that CA and the lab&apos;s operator certificate.</source>
        <translation>--lab と共に: ラボは使い捨ての CA を作り、エージェントを TLS で動かします。コンソールはその CA とラボのオペレーター証明書を使います。</translation>
    </message>
    <message>
        <location filename="../console/cli.cpp" line="76"/>
        <source>--lab-tls goes with --lab</source>
        <translation>--lab-tls は --lab と一緒に指定します</translation>
    </message>
    <message>
        <location filename="../console/cli.cpp" line="77"/>
        <source>--tls-cert and --tls-key go with --tls-ca</source>
        <translation>--tls-cert と --tls-key は --tls-ca と一緒に指定します</translation>
    </message>
    <message>
        <location filename="../console/cli.cpp" line="82"/>
        <source>cannot make a temporary folder: %1</source>
        <translation>一時フォルダーを作成できません: %1</translation>
    </message>
    <message>
        <location filename="../console/cli.cpp" line="87"/>
        <source>The DMR desktop console.</source>
        <translation>DMR デスクトップコンソール。</translation>
    </message>
    <message>
        <location filename="../console/cli.cpp" line="97"/>
        <source>cannot start %1: %2</source>
        <translation>%1 を起動できません: %2</translation>
    </message>
    <message>
        <location filename="../console/cli.cpp" line="102"/>
        <source>no cluster from %1 within %2 s</source>
        <translation>%2 秒以内に %1 からクラスターを取得できません</translation>
    </message>
    <message>
        <location filename="../console/cli.cpp" line="107"/>
        <source>saved %1</source>
        <translation>%1 を保存しました</translation>
    </message>
    <message>
        <location filename="../console/cli.cpp" line="112"/>
        <source>Qt&apos;s own %1 catalogue (qtbase_%1.qm) is not in %2: Qt&apos;s buttons stay in English (Debian: qt6-translations-l10n)</source>
        <translation>Qt 自身の %1 カタログ (qtbase_%1.qm) が %2 にありません。Qt のボタンは英語のままです (Debian: qt6-translations-l10n)</translation>
    </message>
    <message>
        <location filename="../console/models/format.cpp" line="50"/>
        <source>%1 → %2</source>
        <translation>%1 → %2</translation>
    </message>
    <message>
        <location filename="../console/models/listener_model.cpp" line="35"/>
        <source>%1 s</source>
        <translation>%1 秒</translation>
    </message>
    <message>
        <location filename="../console/models/listener_model.cpp" line="38"/>
        <source>%1 min %2 s</source>
        <translation>%1 分 %2 秒</translation>
    </message>
    <message>
        <location filename="../console/models/listener_model.cpp" line="39"/>
        <source>%1 h %2 min</source>
        <translation>%1 時間 %2 分</translation>
    </message>
    <message>
        <location filename="../console/models/listener_model.cpp" line="111"/>
        <source>no word from its routing point yet</source>
        <translation>ルーティングポイントからまだ応答がありません</translation>
    </message>
    <message>
        <location filename="../console/models/listener_model.cpp" line="112"/>
        <source>node %1 did not answer: %2</source>
        <translation>ノード %1 が応答しませんでした: %2</translation>
    </message>
    <message>
        <location filename="../console/models/listener_model.cpp" line="114"/>
        <source>the relay is off on node %1</source>
        <translation>ノード %1 のリレーはオフです</translation>
    </message>
    <message>
        <location filename="../console/models/listener_model.cpp" line="116"/>
        <source>the agent of node %1 does not report listeners</source>
        <translation>ノード %1 のエージェントはリスナーを報告しません</translation>
    </message>
    <message>
        <location filename="../console/models/listener_model.cpp" line="118"/>
        <source>node %1 keeps no listener table for it</source>
        <translation>ノード %1 はこのネットワークのリスナー表を持っていません</translation>
    </message>
    <message>
        <location filename="../console/models/listener_model.cpp" line="123"/>
        <source>node %1</source>
        <translation>ノード %1</translation>
    </message>
    <message>
        <location filename="../console/models/listener_model.cpp" line="164"/>
        <source>everything</source>
        <translation>すべて</translation>
    </message>
    <message>
        <location filename="../console/models/listener_model.cpp" line="169"/>
        <source>nothing</source>
        <translation>なし</translation>
    </message>
    <message>
        <location filename="../console/models/listener_model.cpp" line="169"/>
        <source>1 group</source>
        <translation>1 グループ</translation>
    </message>
    <message>
        <location filename="../console/models/listener_model.cpp" line="169"/>
        <source>%1 groups</source>
        <translation>%1 グループ</translation>
    </message>
    <message>
        <location filename="../console/models/listener_model.cpp" line="175"/>
        <source>carries %1</source>
        <translation>%1 を担当</translation>
    </message>
    <message>
        <location filename="../console/models/listener_model.cpp" line="188"/>
        <source>%1: everything (no word from node %2 on what it wants)</source>
        <translation>%1: すべて (ノード %2 からまだ要求がありません)</translation>
    </message>
    <message>
        <location filename="../console/models/listener_model.cpp" line="193"/>
        <source>%1: nothing</source>
        <translation>%1: なし</translation>
    </message>
    <message>
        <location filename="../console/models/listener_model.cpp" line="194"/>
        <location filename="../console/models/listener_model.cpp" line="295"/>
        <location filename="../console/models/listener_model.cpp" line="307"/>
        <location filename="../console/models/listener_model.cpp" line="314"/>
        <location filename="../console/models/limit_model.cpp" line="44"/>
        <location filename="../console/models/limit_model.cpp" line="249"/>
        <source>, </source>
        <translation>、</translation>
    </message>
    <message>
        <location filename="../console/models/listener_model.cpp" line="198"/>
        <source>(pruned: %1 datagrams)</source>
        <translation>(刈り込み: %1 データグラム)</translation>
    </message>
    <message>
        <location filename="../console/models/listener_model.cpp" line="208"/>
        <source>Listeners: unknown (%1)</source>
        <translation>リスナー: 不明 (%1)</translation>
    </message>
    <message>
        <location filename="../console/models/listener_model.cpp" line="210"/>
        <location filename="../console/models/limit_model.cpp" line="249"/>
        <source>none</source>
        <translation>なし</translation>
    </message>
    <message>
        <location filename="../console/models/listener_model.cpp" line="212"/>
        <source>Listeners, as node %1 sees them (querier: %2):</source>
        <translation>リスナー (ノード %1 から見たもの、クエリア: %2):</translation>
    </message>
    <message>
        <location filename="../console/models/listener_model.cpp" line="213"/>
        <source>Listeners, as node %1 snoops them (querier: %2):</source>
        <translation>リスナー (ノード %1 がスヌープしたもの、クエリア: %2):</translation>
    </message>
    <message>
        <location filename="../console/models/listener_model.cpp" line="216"/>
        <source>  no group wanted</source>
        <translation>  要求されたグループなし</translation>
    </message>
    <message>
        <location filename="../console/models/listener_model.cpp" line="218"/>
        <location filename="../console/models/limit_model.cpp" line="31"/>
        <location filename="../console/models/limit_model.cpp" line="205"/>
        <location filename="../console/models/limit_model.cpp" line="281"/>
        <source>unknown</source>
        <translation>不明</translation>
    </message>
    <message>
        <location filename="../console/models/listener_model.cpp" line="220"/>
        <source>  %1 for %2</source>
        <translation>  %1 (%2 前から)</translation>
    </message>
    <message>
        <location filename="../console/models/listener_model.cpp" line="222"/>
        <source>  %1 for %2, 1 reporter</source>
        <translation>  %1 (%2 前から、報告者 1)</translation>
    </message>
    <message>
        <location filename="../console/models/listener_model.cpp" line="224"/>
        <source>  %1 for %2, %3 reporters</source>
        <translation>  %1 (%2 前から、報告者 %3)</translation>
    </message>
    <message>
        <location filename="../console/models/listener_model.cpp" line="293"/>
        <source>%1: these tunnels&apos; far ends have not said what they want yet, so everything goes in</source>
        <translation>%1: これらのトンネルの相手側がまだ要求を伝えていないため、すべてが送られます</translation>
    </message>
    <message>
        <location filename="../console/models/listener_model.cpp" line="306"/>
        <source>none (only passing through)</source>
        <translation>なし (通過のみ)</translation>
    </message>
    <message>
        <location filename="../console/models/listener_model.cpp" line="313"/>
        <source>%1 (floods)</source>
        <translation>%1 (フラッディング)</translation>
    </message>
    <message>
        <location filename="../console/models/listener_model.cpp" line="314"/>
        <source>no tunnel carries it</source>
        <translation>どのトンネルも運びません</translation>
    </message>
    <message>
        <location filename="../console/models/listener_model.cpp" line="327"/>
        <source>Group</source>
        <translation>グループ</translation>
    </message>
    <message>
        <location filename="../console/models/listener_model.cpp" line="329"/>
        <source>Listening networks</source>
        <translation>受信ネットワーク</translation>
    </message>
    <message>
        <location filename="../console/models/listener_model.cpp" line="331"/>
        <source>Path (tunnels)</source>
        <translation>経路 (トンネル)</translation>
    </message>
    <message>
        <location filename="../console/models/limit_model.cpp" line="37"/>
        <location filename="../console/models/limit_model.cpp" line="44"/>
        <source>unlimited</source>
        <translation>無制限</translation>
    </message>
    <message>
        <location filename="../console/models/limit_model.cpp" line="41"/>
        <source>%1/s (burst %2)</source>
        <translation>%1/秒 (バースト %2)</translation>
    </message>
    <message>
        <location filename="../console/models/limit_model.cpp" line="43"/>
        <source>%1 datagrams/s (burst %2)</source>
        <translation>%1 データグラム/秒 (バースト %2)</translation>
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
        <translation>%1/秒</translation>
    </message>
    <message>
        <location filename="../console/models/limit_model.cpp" line="186"/>
        <source>%1 dropped</source>
        <translation>%1 破棄</translation>
    </message>
    <message>
        <location filename="../console/models/limit_model.cpp" line="207"/>
        <source>%1: the rate limit (%2) dropped nothing</source>
        <translation>%1: レート制限 (%2) による破棄なし</translation>
    </message>
    <message>
        <location filename="../console/models/limit_model.cpp" line="209"/>
        <source>%1: the rate limit (%2) dropped %3 datagrams (%4)</source>
        <translation>%1: レート制限 (%2) が %3 データグラムを破棄 (%4)</translation>
    </message>
    <message>
        <location filename="../console/models/limit_model.cpp" line="214"/>
        <source>— dropping now: %1</source>
        <translation>— 現在破棄中: %1</translation>
    </message>
    <message>
        <location filename="../console/models/limit_model.cpp" line="229"/>
        <source>  %1: rate limit %2, boundary %3, below threshold %4</source>
        <translation>  %1: レート制限 %2、境界 %3、しきい値未満 %4</translation>
    </message>
    <message>
        <location filename="../console/models/limit_model.cpp" line="234"/>
        <source>(dropping now: %1)</source>
        <translation>(現在破棄中: %1)</translation>
    </message>
    <message>
        <location filename="../console/models/limit_model.cpp" line="238"/>
        <source>Dropped at ingest, by channel range:</source>
        <translation>取り込み時の破棄 (チャネル範囲別):</translation>
    </message>
    <message>
        <location filename="../console/models/limit_model.cpp" line="240"/>
        <source>Limits: per tunnel %1; per channel range %2; threshold %3</source>
        <translation>制限: トンネルごと %1、チャネル範囲ごと %2、しきい値 %3</translation>
    </message>
    <message>
        <location filename="../console/models/limit_model.cpp" line="247"/>
        <source>%1 on %2</source>
        <translation>%2 上の %1</translation>
    </message>
    <message>
        <location filename="../console/models/limit_model.cpp" line="248"/>
        <source>Boundaries: %1</source>
        <translation>境界: %1</translation>
    </message>
    <message>
        <location filename="../console/models/limit_model.cpp" line="260"/>
        <source>%1 at node %2</source>
        <translation>ノード %2 の %1</translation>
    </message>
    <message>
        <location filename="../console/models/limit_model.cpp" line="284"/>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
    <message>
        <location filename="../console/models/limit_model.cpp" line="293"/>
        <source>The agent of node %1 does not report its limits</source>
        <translation>ノード %1 のエージェントは制限を報告しません</translation>
    </message>
    <message>
        <location filename="../console/models/limit_model.cpp" line="295"/>
        <source>The rate limit of each tunnel at node %1: %2</source>
        <translation>ノード %1 の各トンネルのレート制限: %2</translation>
    </message>
    <message>
        <location filename="../console/models/limit_model.cpp" line="297"/>
        <source>The rate limit of each channel range at node %1: %2</source>
        <translation>ノード %1 の各チャネル範囲のレート制限: %2</translation>
    </message>
    <message>
        <location filename="../console/models/limit_model.cpp" line="365"/>
        <source>What node %1 kept out of its tunnel to node %2</source>
        <translation>ノード %1 がノード %2 へのトンネルに入れなかったもの</translation>
    </message>
    <message>
        <location filename="../console/models/limit_model.cpp" line="367"/>
        <source>What node %1 did not take in of the channel range %2</source>
        <translation>ノード %1 がチャネル範囲 %2 から取り込まなかったもの</translation>
    </message>
    <message>
        <location filename="../console/models/limit_model.cpp" line="373"/>
        <source>Boundaries and the threshold act where a datagram is heard, before any tunnel: see the channel ranges</source>
        <translation>境界としきい値はデータグラムを受信した場所で、どのトンネルよりも前に働きます: チャネル範囲を参照</translation>
    </message>
    <message>
        <location filename="../console/models/limit_model.cpp" line="377"/>
        <source>%1 dropped since node %2&apos;s previous answer</source>
        <translation>ノード %2 の前回の応答以降 %1 破棄</translation>
    </message>
    <message>
        <location filename="../console/models/limit_model.cpp" line="380"/>
        <source>Known after node %1&apos;s next answer</source>
        <translation>ノード %1 の次の応答後にわかります</translation>
    </message>
    <message>
        <location filename="../console/models/limit_model.cpp" line="427"/>
        <source>▲ %1</source>
        <translation>▲ %1</translation>
    </message>
    <message>
        <location filename="../console/models/limit_model.cpp" line="440"/>
        <source>Datagrams (and their payload bytes) over the token bucket of the tunnel or the channel range</source>
        <translation>トンネルまたはチャネル範囲のトークンバケットを超えたデータグラム (とそのペイロードのバイト数)</translation>
    </message>
    <message>
        <location filename="../console/models/limit_model.cpp" line="443"/>
        <source>Datagrams of a group bounded on the network they were heard on (relay.boundaries, relay.network_boundaries)</source>
        <translation>受信したネットワークで境界に含まれるグループのデータグラム (relay.boundaries、relay.network_boundaries)</translation>
    </message>
    <message>
        <location filename="../console/models/limit_model.cpp" line="446"/>
        <source>Datagrams heard with an IP TTL below relay.threshold</source>
        <translation>relay.threshold 未満の IP TTL で受信したデータグラム</translation>
    </message>
    <message>
        <location filename="../console/models/limit_model.cpp" line="448"/>
        <source>Drops per second between the node&apos;s last two answers</source>
        <translation>ノードの直近 2 回の応答の間の 1 秒あたりの破棄数</translation>
    </message>
    <message>
        <location filename="../console/models/limit_model.cpp" line="457"/>
        <source>Tunnel or channel range</source>
        <translation>トンネルまたはチャネル範囲</translation>
    </message>
    <message>
        <location filename="../console/models/limit_model.cpp" line="459"/>
        <source>Node</source>
        <translation>ノード</translation>
    </message>
    <message>
        <location filename="../console/models/limit_model.cpp" line="461"/>
        <source>Rate limit</source>
        <translation>レート制限</translation>
    </message>
    <message>
        <location filename="../console/models/limit_model.cpp" line="463"/>
        <source>Boundary</source>
        <translation>境界</translation>
    </message>
    <message>
        <location filename="../console/models/limit_model.cpp" line="465"/>
        <source>Below threshold</source>
        <translation>しきい値未満</translation>
    </message>
    <message>
        <location filename="../console/models/limit_model.cpp" line="467"/>
        <source>Now</source>
        <translation>現在</translation>
    </message>
</context>
<context>
    <name>dmr::console::AgentClient</name>
    <message>
        <location filename="../console/client/agent_client.cpp" line="99"/>
        <source>could not connect to %1 within %2 ms</source>
        <translation>%2 ms 以内に %1 へ接続できませんでした</translation>
    </message>
    <message>
        <location filename="../console/client/agent_client.cpp" line="105"/>
        <source>agent at %1 did not answer within %2 ms</source>
        <translation>%1 のエージェントが %2 ms 以内に応答しませんでした</translation>
    </message>
    <message>
        <location filename="../console/client/agent_client.cpp" line="166"/>
        <source>restarted</source>
        <translation>再起動しました</translation>
    </message>
    <message>
        <location filename="../console/client/agent_client.cpp" line="180"/>
        <source>the console disconnected</source>
        <translation>コンソールが切断しました</translation>
    </message>
    <message>
        <location filename="../console/client/agent_client.cpp" line="192"/>
        <source>no agent address to connect to</source>
        <translation>接続先のエージェントアドレスがありません</translation>
    </message>
    <message>
        <location filename="../console/client/agent_client.cpp" line="205"/>
        <source>cannot speak TLS to %1: %2</source>
        <translation>%1 と TLS で通信できません: %2</translation>
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
        <translation>%1: PEM 証明書が含まれていません</translation>
    </message>
    <message>
        <location filename="../console/client/agent_client.cpp" line="270"/>
        <source>%1: no PEM private key (EC or RSA) in it</source>
        <translation>%1: PEM 秘密鍵 (EC または RSA) が含まれていません</translation>
    </message>
    <message>
        <location filename="../console/client/agent_client.cpp" line="320"/>
        <source>the connection to the agent closed before it answered (%1); the drill may have been carried out</source>
        <translation>応答前にエージェントとの接続が閉じました (%1)。演習は実行された可能性があります</translation>
    </message>
    <message>
        <location filename="../console/client/agent_client.cpp" line="356"/>
        <source>lost the agent at %1: %2</source>
        <translation>%1 のエージェントとの接続が失われました: %2</translation>
    </message>
    <message>
        <location filename="../console/client/agent_client.cpp" line="357"/>
        <source>could not connect to %1: %2</source>
        <translation>%1 に接続できませんでした: %2</translation>
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
        <translation>%1 のエージェント: %2</translation>
    </message>
    <message>
        <location filename="../console/client/agent_client.cpp" line="401"/>
        <source>agent at %1 sent a line that is not JSON (%2 at offset %3): %4</source>
        <translation>%1 のエージェントが JSON ではない行を送信しました (オフセット %3 で %2): %4</translation>
    </message>
    <message>
        <location filename="../console/client/agent_client.cpp" line="406"/>
        <source>agent at %1 sent a line that is not a JSON object: %2</source>
        <translation>%1 のエージェントが JSON オブジェクトではない行を送信しました: %2</translation>
    </message>
    <message>
        <location filename="../console/client/agent_client.cpp" line="414"/>
        <source>agent at %1 sent a bad event: %2</source>
        <translation>%1 のエージェントが不正なイベントを送信しました: %2</translation>
    </message>
    <message>
        <location filename="../console/client/agent_client.cpp" line="431"/>
        <source>agent at %1 sent a message of unknown type: %2</source>
        <translation>%1 のエージェントが不明な種類のメッセージを送信しました: %2</translation>
    </message>
    <message>
        <location filename="../console/client/agent_client.cpp" line="443"/>
        <source>agent at %1 sent a reply without an id: %2</source>
        <translation>%1 のエージェントが ID のない応答を送信しました: %2</translation>
    </message>
    <message>
        <location filename="../console/client/agent_client.cpp" line="449"/>
        <source>agent at %1 answered a request this console did not send: %2</source>
        <translation>%1 のエージェントが、このコンソールが送信していない要求に応答しました: %2</translation>
    </message>
    <message>
        <location filename="../console/client/agent_client.cpp" line="480"/>
        <source>agent at %1 refused the hello: %2</source>
        <translation>%1 のエージェントが hello を拒否しました: %2</translation>
    </message>
    <message>
        <location filename="../console/client/agent_client.cpp" line="542"/>
        <source>agent at %1 sent a reply without a result object</source>
        <translation>%1 のエージェントが結果オブジェクトのない応答を送信しました</translation>
    </message>
    <message>
        <location filename="../console/client/agent_client.cpp" line="663"/>
        <source>the agent carried out the drill, but its record is unreadable: %1</source>
        <translation>エージェントは演習を実行しましたが、その記録を読み取れません: %1</translation>
    </message>
    <message>
        <location filename="../console/client/agent_client.cpp" line="674"/>
        <source>%1: carried out (drill %2)</source>
        <translation>%1: 実行済み (演習 %2)</translation>
    </message>
    <message>
        <location filename="../console/client/agent_client.cpp" line="675"/>
        <source>%1: carried out by agent %2 (drill %3)</source>
        <translation>%1: エージェント %2 が実行 (演習 %3)</translation>
    </message>
    <message>
        <location filename="../console/client/agent_client.cpp" line="707"/>
        <source>agent %1 at %2 is not in the cluster (view %3); moving to another agent</source>
        <translation>%2 のエージェント %1 はクラスターに属していません (ビュー %3)。別のエージェントに切り替えます</translation>
    </message>
    <message>
        <location filename="../console/client/agent_client.cpp" line="875"/>
        <source>unknown drill action &quot;%1&quot;; expected kill, fail-adapter, drain or restore</source>
        <translation>不明な演習アクション &quot;%1&quot;。kill、fail-adapter、drain、restore のいずれかを指定してください</translation>
    </message>
    <message>
        <location filename="../console/client/agent_client.cpp" line="879"/>
        <source>not connected to an agent</source>
        <translation>エージェントに接続されていません</translation>
    </message>
</context>
<context>
    <name>dmr::console::DrillDialog</name>
    <message>
        <location filename="../console/drilldialog.cpp" line="34"/>
        <source>system leader</source>
        <translation>システムリーダー</translation>
    </message>
    <message>
        <location filename="../console/drilldialog.cpp" line="36"/>
        <source>leader of %1</source>
        <translation>%1 のリーダー</translation>
    </message>
    <message>
        <location filename="../console/drilldialog.cpp" line="38"/>
        <source>member</source>
        <translation>メンバー</translation>
    </message>
    <message>
        <location filename="../console/drilldialog.cpp" line="105"/>
        <source>Tunnel %1 ⇄ %2 opens.</source>
        <translation>トンネル %1 ⇄ %2 が開きます。</translation>
    </message>
    <message>
        <location filename="../console/drilldialog.cpp" line="108"/>
        <source>Tunnel %1 ⇄ %2 closes.</source>
        <translation>トンネル %1 ⇄ %2 が閉じます。</translation>
    </message>
    <message>
        <location filename="../console/drilldialog.cpp" line="110"/>
        <source>Nothing moves: %1 comes back and joins its groups at the end.</source>
        <translation>変更なし: %1 が復帰し、各グループの末尾に参加します。</translation>
    </message>
    <message>
        <location filename="../console/drilldialog.cpp" line="67"/>
        <source>%1 has no adapter %2.</source>
        <translation>%1 にアダプター %2 はありません。</translation>
    </message>
    <message>
        <location filename="../console/drilldialog.cpp" line="45"/>
        <source>Kill node %1</source>
        <translation>ノード %1 を強制終了</translation>
    </message>
    <message>
        <location filename="../console/drilldialog.cpp" line="47"/>
        <source>Drain node %1</source>
        <translation>ノード %1 をドレイン</translation>
    </message>
    <message>
        <location filename="../console/drilldialog.cpp" line="49"/>
        <source>Fail adapter %1 of node %2</source>
        <translation>ノード %2 のアダプター %1 を障害にする</translation>
    </message>
    <message>
        <location filename="../console/drilldialog.cpp" line="51"/>
        <source>Restore node %1</source>
        <translation>ノード %1 を復元</translation>
    </message>
    <message>
        <location filename="../console/drilldialog.cpp" line="52"/>
        <source>Restore adapter %1 of node %2</source>
        <translation>ノード %2 のアダプター %1 を復元</translation>
    </message>
    <message>
        <location filename="../console/drilldialog.cpp" line="53"/>
        <source>%1 node %2</source>
        <translation>ノード %2: %1</translation>
    </message>
    <message>
        <location filename="../console/drilldialog.cpp" line="70"/>
        <source>%1 leaves network %2 (adapter %3).</source>
        <translation>%1 がネットワーク %2 から離脱します (アダプター %3)。</translation>
    </message>
    <message>
        <location filename="../console/drilldialog.cpp" line="74"/>
        <source>Cannot tell: %1</source>
        <translation>判定できません: %1</translation>
    </message>
    <message>
        <location filename="../console/drilldialog.cpp" line="85"/>
        <source>%1: loses its leader %2; nobody takes over.</source>
        <translation>%1: リーダー %2 を失い、引き継ぐノードはありません。</translation>
    </message>
    <message>
        <location filename="../console/drilldialog.cpp" line="86"/>
        <source>%1: leader %2 → %3</source>
        <translation>%1: リーダー %2 → %3</translation>
    </message>
    <message>
        <location filename="../console/drilldialog.cpp" line="90"/>
        <source>%1: gets a leader again, %2</source>
        <translation>%1: 再びリーダーが決まります (%2)</translation>
    </message>
    <message>
        <location filename="../console/drilldialog.cpp" line="92"/>
        <source>nobody</source>
        <translation>なし</translation>
    </message>
    <message>
        <location filename="../console/drilldialog.cpp" line="94"/>
        <source>System leader %1: nobody takes over.</source>
        <translation>システムリーダー %1: 引き継ぐノードはありません。</translation>
    </message>
    <message>
        <location filename="../console/drilldialog.cpp" line="129"/>
        <source>Drill: %1</source>
        <translation>演習: %1</translation>
    </message>
    <message>
        <location filename="../console/drilldialog.cpp" line="134"/>
        <source>What will move (the planner&apos;s answer, drawn over the topology):</source>
        <translation>変わるもの (プランナーの回答、トポロジー上に表示):</translation>
    </message>
    <message>
        <location filename="../console/drilldialog.cpp" line="93"/>
        <source>System leader: %1 → %2</source>
        <translation>システムリーダー: %1 → %2</translation>
    </message>
    <message>
        <location filename="../console/drilldialog.cpp" line="112"/>
        <source>No roles move: %1 leads nothing.</source>
        <translation>役割の移動なし: %1 は何もリードしていません。</translation>
    </message>
    <message>
        <location filename="../console/drilldialog.cpp" line="133"/>
        <source>Roles: %1</source>
        <translation>役割: %1</translation>
    </message>
    <message>
        <location filename="../console/drilldialog.cpp" line="133"/>
        <source>, </source>
        <translation>、</translation>
    </message>
    <message>
        <location filename="../console/drilldialog.cpp" line="143"/>
        <source>Why (required): shown in the audit trail</source>
        <translation>理由 (必須): 監査ログに表示されます</translation>
    </message>
    <message>
        <location filename="../console/drilldialog.cpp" line="148"/>
        <source> s</source>
        <translation> 秒</translation>
    </message>
    <message>
        <location filename="../console/drilldialog.cpp" line="149"/>
        <source>until restored</source>
        <translation>復元まで</translation>
    </message>
    <message>
        <location filename="../console/drilldialog.cpp" line="153"/>
        <source>&amp;Reason:</source>
        <translation>理由(&amp;R):</translation>
    </message>
    <message>
        <location filename="../console/drilldialog.cpp" line="154"/>
        <source>&amp;Duration:</source>
        <translation>期間(&amp;D):</translation>
    </message>
    <message>
        <location filename="../console/drilldialog.cpp" line="159"/>
        <source>Run drill</source>
        <translation>演習を実行</translation>
    </message>
</context>
<context>
    <name>dmr::console::DrillModel</name>
    <message>
        <location filename="../console/models/drill_model.cpp" line="128"/>
        <source>until a restore</source>
        <translation>復元まで</translation>
    </message>
    <message>
        <location filename="../console/models/drill_model.cpp" line="130"/>
        <source>in force</source>
        <translation>実施中</translation>
    </message>
    <message>
        <location filename="../console/models/drill_model.cpp" line="132"/>
        <source>forwarded by agent %1</source>
        <translation>エージェント %1 が転送</translation>
    </message>
    <message>
        <location filename="../console/models/drill_model.cpp" line="169"/>
        <source>Started</source>
        <translation>開始</translation>
    </message>
    <message>
        <location filename="../console/models/drill_model.cpp" line="171"/>
        <source>Action</source>
        <translation>アクション</translation>
    </message>
    <message>
        <location filename="../console/models/drill_model.cpp" line="173"/>
        <source>Node</source>
        <translation>ノード</translation>
    </message>
    <message>
        <location filename="../console/models/drill_model.cpp" line="175"/>
        <source>Interface</source>
        <translation>インターフェース</translation>
    </message>
    <message>
        <location filename="../console/models/drill_model.cpp" line="177"/>
        <source>Reason</source>
        <translation>理由</translation>
    </message>
    <message>
        <location filename="../console/models/drill_model.cpp" line="179"/>
        <source>Client</source>
        <translation>クライアント</translation>
    </message>
    <message>
        <location filename="../console/models/drill_model.cpp" line="181"/>
        <source>Duration (ms)</source>
        <translation>期間 (ms)</translation>
    </message>
    <message>
        <location filename="../console/models/drill_model.cpp" line="183"/>
        <source>Ended</source>
        <translation>終了</translation>
    </message>
    <message>
        <location filename="../console/models/drill_model.cpp" line="185"/>
        <source>Via</source>
        <translation>経由</translation>
    </message>
</context>
<context>
    <name>dmr::console::EventLogModel</name>
    <message>
        <location filename="../console/models/event_log_model.cpp" line="121"/>
        <source>view changed</source>
        <translation>ビュー変更</translation>
    </message>
    <message>
        <location filename="../console/models/event_log_model.cpp" line="123"/>
        <source>plan changed</source>
        <translation>プラン変更</translation>
    </message>
    <message>
        <location filename="../console/models/event_log_model.cpp" line="125"/>
        <source>failover</source>
        <translation>フェイルオーバー</translation>
    </message>
    <message>
        <location filename="../console/models/event_log_model.cpp" line="127"/>
        <source>drill</source>
        <translation>演習</translation>
    </message>
    <message>
        <location filename="../console/models/event_log_model.cpp" line="155"/>
        <source>%1, reported by agent %2</source>
        <translation>%1 (エージェント %2 が報告)</translation>
    </message>
    <message>
        <location filename="../console/models/event_log_model.cpp" line="202"/>
        <source>Time</source>
        <translation>時刻</translation>
    </message>
    <message>
        <location filename="../console/models/event_log_model.cpp" line="204"/>
        <source>Event</source>
        <translation>イベント</translation>
    </message>
    <message>
        <location filename="../console/models/event_log_model.cpp" line="206"/>
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
        <location filename="../console/models/history_model.cpp" line="169"/>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <location filename="../console/models/history_model.cpp" line="170"/>
        <source>nobody</source>
        <translation>なし</translation>
    </message>
    <message>
        <location filename="../console/models/history_model.cpp" line="218"/>
        <source>waiting for the new routing points to report their tunnels up</source>
        <translation>新しいルーティングポイントがトンネルの稼働を報告するのを待っています</translation>
    </message>
    <message>
        <location filename="../console/models/history_model.cpp" line="194"/>
        <source>failed %1 (recorded by agent %2)
detected %3
new plan %4 (view %5)
tunnels up %6</source>
        <translation>障害 %1 (エージェント %2 の記録)
検出 %3
新プラン %4 (ビュー %5)
トンネル稼働 %6</translation>
    </message>
    <message>
        <location filename="../console/models/history_model.cpp" line="196"/>
        <source>?</source>
        <translation>?</translation>
    </message>
    <message>
        <location filename="../console/models/history_model.cpp" line="198"/>
        <source>not yet</source>
        <translation>未完了</translation>
    </message>
    <message>
        <location filename="../console/models/history_model.cpp" line="200"/>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
    <message>
        <location filename="../console/models/history_model.cpp" line="206"/>
        <source>from when node %1 was last heard to when it was declared failed (silent for %2 ms)</source>
        <translation>ノード %1 から最後に受信してから障害と判定されるまで (%2 ms 無応答)</translation>
    </message>
    <message>
        <location filename="../console/models/history_model.cpp" line="210"/>
        <source>from the failure to the first survivor noticing it (the last heartbeat had come %1 ms before)</source>
        <translation>障害から最初の生存ノードが気付くまで (最後のハートビートは %1 ms 前)</translation>
    </message>
    <message>
        <location filename="../console/models/history_model.cpp" line="214"/>
        <source>from detection to the new plan</source>
        <translation>検出から新しいプランまで</translation>
    </message>
    <message>
        <location filename="../console/models/history_model.cpp" line="220"/>
        <source>from the new plan to the last new tunnel up</source>
        <translation>新しいプランから最後の新トンネル稼働まで</translation>
    </message>
    <message>
        <location filename="../console/models/history_model.cpp" line="222"/>
        <source>from the failure to the last new tunnel up: the whole outage (agents&apos; clocks %1 ms apart)</source>
        <translation>障害から最後の新トンネル稼働まで: 停止時間の全体 (エージェントの時計の差 %1 ms)</translation>
    </message>
    <message>
        <location filename="../console/models/history_model.cpp" line="225"/>
        <source>from the failure to the last new tunnel up: the whole outage</source>
        <translation>障害から最後の新トンネル稼働まで: 停止時間の全体</translation>
    </message>
    <message>
        <location filename="../console/models/history_model.cpp" line="269"/>
        <source>Failed</source>
        <translation>障害発生</translation>
    </message>
    <message>
        <location filename="../console/models/history_model.cpp" line="271"/>
        <source>Node</source>
        <translation>ノード</translation>
    </message>
    <message>
        <location filename="../console/models/history_model.cpp" line="273"/>
        <source>Cause</source>
        <translation>原因</translation>
    </message>
    <message>
        <location filename="../console/models/history_model.cpp" line="275"/>
        <source>Roles lost</source>
        <translation>失われた役割</translation>
    </message>
    <message>
        <location filename="../console/models/history_model.cpp" line="277"/>
        <source>Successors</source>
        <translation>後継</translation>
    </message>
    <message>
        <location filename="../console/models/history_model.cpp" line="279"/>
        <source>Detection (ms)</source>
        <translation>検出 (ms)</translation>
    </message>
    <message>
        <location filename="../console/models/history_model.cpp" line="281"/>
        <source>Election (ms)</source>
        <translation>選出 (ms)</translation>
    </message>
    <message>
        <location filename="../console/models/history_model.cpp" line="283"/>
        <source>Tunnels (ms)</source>
        <translation>トンネル (ms)</translation>
    </message>
    <message>
        <location filename="../console/models/history_model.cpp" line="285"/>
        <source>Total (ms)</source>
        <translation>合計 (ms)</translation>
    </message>
</context>
<context>
    <name>dmr::console::MainWindow</name>
    <message>
        <location filename="../console/mainwindow.cpp" line="131"/>
        <source>no snapshot to export yet</source>
        <translation>エクスポートできるスナップショットがまだありません</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="136"/>
        <source>%1: unknown format (use .png, .svg, .json or .dot)</source>
        <translation>%1: 不明な形式です (.png、.svg、.json、.dot を使用してください)</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="145"/>
        <source>&lt;i&gt;No node selected. Click a node in the topology.&lt;/i&gt;</source>
        <translation>&lt;i&gt;ノードが選択されていません。トポロジー内のノードをクリックしてください。&lt;/i&gt;</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="146"/>
        <source>&lt;h3&gt;Node %1&lt;/h3&gt;</source>
        <translation>&lt;h3&gt;ノード %1&lt;/h3&gt;</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="148"/>
        <source>&lt;p&gt;State: &lt;b&gt;%1&lt;/b&gt;&lt;/p&gt;</source>
        <translation>&lt;p&gt;状態: &lt;b&gt;%1&lt;/b&gt;&lt;/p&gt;</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="150"/>
        <source>&lt;p&gt;&lt;b&gt;Roles:&lt;/b&gt; %1&lt;/p&gt;</source>
        <translation>&lt;p&gt;&lt;b&gt;役割:&lt;/b&gt; %1&lt;/p&gt;</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="151"/>
        <location filename="../console/mainwindow.cpp" line="203"/>
        <location filename="../console/mainwindow.cpp" line="606"/>
        <source>, </source>
        <translation>、</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="153"/>
        <source>&lt;p&gt;&lt;b&gt;Interfaces:&lt;/b&gt;&lt;/p&gt;&lt;ul&gt;</source>
        <translation>&lt;p&gt;&lt;b&gt;インターフェース:&lt;/b&gt;&lt;/p&gt;&lt;ul&gt;</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="160"/>
        <source> (failed)</source>
        <translation> (障害)</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="165"/>
        <source>&lt;p&gt;&lt;b&gt;Groups&lt;/b&gt; (position in join order):&lt;/p&gt;&lt;ul&gt;</source>
        <translation>&lt;p&gt;&lt;b&gt;グループ&lt;/b&gt; (参加順の位置):&lt;/p&gt;&lt;ul&gt;</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="169"/>
        <source>%1 of %2%3</source>
        <translation>%2 中 %1%3</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="172"/>
        <source>, leader</source>
        <translation>、リーダー</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="188"/>
        <location filename="../console/mainwindow.cpp" line="207"/>
        <source>&lt;li&gt;none&lt;/li&gt;</source>
        <translation>&lt;li&gt;なし&lt;/li&gt;</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="192"/>
        <source>&lt;p&gt;&lt;b&gt;Tunnel ends:&lt;/b&gt;&lt;/p&gt;&lt;ul&gt;</source>
        <translation>&lt;p&gt;&lt;b&gt;トンネル端点:&lt;/b&gt;&lt;/p&gt;&lt;ul&gt;</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="201"/>
        <source>%1 %2 ↔ node %3 %4 %5 (%6)</source>
        <translation>%1 %2 ↔ ノード %3 %4 %5 (%6)</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="220"/>
        <source>DMR console</source>
        <translation>DMR コンソール</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="233"/>
        <source>DMR console — %1 (view %2)</source>
        <translation>DMR コンソール — %1 (ビュー %2)</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="238"/>
        <source>Agent %1 no longer had every event since the last one shown: the event log has a gap</source>
        <translation>エージェント %1 には最後に表示したイベント以降のすべてが残っていません: イベントログに欠落があります</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="273"/>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="277"/>
        <source>Drill %1 done: %2</source>
        <translation>演習 %1 完了: %2</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="278"/>
        <source>Drill %1 failed: %2</source>
        <translation>演習 %1 失敗: %2</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="330"/>
        <source>Node</source>
        <translation>ノード</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="336"/>
        <source>Filter nodes: id, state, role, network, address</source>
        <translation>ノードを絞り込み: ID、状態、役割、ネットワーク、アドレス</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="354"/>
        <source>Nodes</source>
        <translation>ノード</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="365"/>
        <source>Filter events</source>
        <translation>イベントを絞り込み</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="385"/>
        <source>Events</source>
        <translation>イベント</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="430"/>
        <source>Failovers</source>
        <translation>フェイルオーバー</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="439"/>
        <source>Live</source>
        <translation>ライブ</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="441"/>
        <source>Show the live cluster (Esc)</source>
        <translation>ライブのクラスターを表示 (Esc)</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="445"/>
        <location filename="../console/mainwindow.cpp" line="973"/>
        <source>Replay</source>
        <translation>再生</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="452"/>
        <source>Replay the last hour&apos;s plan changes from the agents&apos; view logs</source>
        <translation>エージェントのビューログから直近 1 時間のプラン変更を再生</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="456"/>
        <source>%1×</source>
        <translation>%1×</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="458"/>
        <source>Replay speed (times real time)</source>
        <translation>再生速度 (実時間の倍率)</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="463"/>
        <source>Fit</source>
        <translation>全体表示</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="464"/>
        <source>Show the whole record (double click)</source>
        <translation>記録全体を表示 (ダブルクリック)</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="476"/>
        <source>Timeline</source>
        <translation>タイムライン</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="482"/>
        <source>Drills</source>
        <translation>演習</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="509"/>
        <source>Reachability</source>
        <translation>到達性</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="529"/>
        <source>Groups</source>
        <translation>グループ</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="552"/>
        <source>Limits</source>
        <translation>制限</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="599"/>
        <source>No relay state yet: the routing points have not answered.</source>
        <translation>リレーの状態はまだありません: ルーティングポイントが応答していません。</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="601"/>
        <source>The limits dropped %1 datagrams in all; none is dropping now.</source>
        <translation>制限による破棄は合計 %1 データグラム。現在破棄中のものはありません。</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="604"/>
        <source>The limits dropped %1 datagrams in all. Dropping now: %2.</source>
        <translation>制限による破棄は合計 %1 データグラム。現在破棄中: %2。</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="610"/>
        <source>No listener data yet: the routing points have not answered, or their agents predate listening.</source>
        <translation>リスナー情報はまだありません: ルーティングポイントが応答していないか、そのエージェントがリスナー機能より古いものです。</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="612"/>
        <source>Groups wanted somewhere: %1. Path: the tunnels each group goes into, by the word of the end that sends.</source>
        <translation>どこかで要求されているグループ: %1。経路: 各グループが送られるトンネル (送信側の申告による)。</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="623"/>
        <source>No reachability data: the agent has no probe, or has not answered yet.</source>
        <translation>到達性データなし: エージェントにプローブがないか、まだ応答していません。</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="641"/>
        <source>%1 of %2 probing nodes hear every other one.</source>
        <translation>プローブ中の %2 ノードのうち %1 ノードが他のすべてを受信しています。</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="643"/>
        <source>Not heard by anyone: %1.</source>
        <translation>誰にも受信されていない: %1。</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="649"/>
        <source>&amp;File</source>
        <translation>ファイル(&amp;F)</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="653"/>
        <source>&amp;Export…</source>
        <translation>エクスポート(&amp;E)…</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="657"/>
        <source>&amp;Quit</source>
        <translation>終了(&amp;Q)</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="660"/>
        <source>&amp;View</source>
        <translation>表示(&amp;V)</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="661"/>
        <source>&amp;Fit</source>
        <translation>全体を表示(&amp;F)</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="664"/>
        <source>Zoom &amp;in</source>
        <translation>拡大(&amp;I)</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="667"/>
        <source>Zoom &amp;out</source>
        <translation>縮小(&amp;O)</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="670"/>
        <source>&amp;Find node…</source>
        <translation>ノードを検索(&amp;F)…</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="674"/>
        <source>&amp;Legend</source>
        <translation>凡例(&amp;L)</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="684"/>
        <source>&amp;Dark palette</source>
        <translation>ダークパレット(&amp;D)</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="692"/>
        <source>&amp;Panels</source>
        <translation>パネル(&amp;P)</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="698"/>
        <source>&amp;Drill</source>
        <translation>演習(&amp;D)</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="720"/>
        <location filename="../console/mainwindow.cpp" line="768"/>
        <location filename="../console/mainwindow.cpp" line="812"/>
        <source>&amp;What if it fails?</source>
        <translation>障害時の予測(&amp;W)</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="725"/>
        <location filename="../console/mainwindow.cpp" line="814"/>
        <source>What if an &amp;adapter fails?</source>
        <translation>アダプター障害時の予測(&amp;A)</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="729"/>
        <source>Drill on the selected node</source>
        <translation>選択したノードで訓練</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="731"/>
        <source>Main</source>
        <translation>メイン</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="862"/>
        <source>Drills need the operator token (control.operator_token of the agents; dmr-console --token or $DMR_TOKEN gives it at the start):</source>
        <translation>演習にはオペレータートークンが必要です (エージェントの control.operator_token。起動時に dmr-console --token または $DMR_TOKEN で指定できます):</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="887"/>
        <source>Drill %1 sent: %2</source>
        <translation>演習 %1 を送信: %2</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="903"/>
        <source>The plans around the failover of node %1 at %2 are no longer in the agents&apos; view logs (they keep an hour)</source>
        <translation>%2 のノード %1 のフェイルオーバー前後のプランは、エージェントのビューログにもうありません (保持は 1 時間)</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="915"/>
        <source>Failover of node %1 (%2) at %3: the plan after it, view %4 (Esc: live)</source>
        <translation>%3 のノード %1 のフェイルオーバー (%2): その後のプラン、ビュー %4 (Esc: ライブ)</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="922"/>
        <source>failover of node %1, after</source>
        <translation>ノード %1 のフェイルオーバー後</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="943"/>
        <source>Replay: view %1 at %2 (Esc: live)</source>
        <translation>再生: %2 のビュー %1 (Esc: ライブ)</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="948"/>
        <source>replay at %1</source>
        <translation>%1 の再生</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="956"/>
        <source>Nothing to replay yet: no agent has sent its view log</source>
        <translation>まだ再生できるものがありません: ビューログを送ったエージェントがありません</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="966"/>
        <source>Pause</source>
        <translation>一時停止</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="1001"/>
        <source>Showing: %1 — Esc for live</source>
        <translation>表示中: %1 — Esc でライブ</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="1014"/>
        <source>cannot write %1: %2</source>
        <translation>%1 に書き込めません: %2</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="1024"/>
        <source>%1 → %2</source>
        <translation>%1 → %2</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="1024"/>
        <source>nobody</source>
        <translation>なし</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="1025"/>
        <source>DMR: failover of node %1</source>
        <translation>DMR: ノード %1 のフェイルオーバー</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="1027"/>
        <source>%1 at %2. %3</source>
        <translation>%2 に %1。%3</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="760"/>
        <location filename="../console/mainwindow.cpp" line="762"/>
        <location filename="../console/mainwindow.cpp" line="763"/>
        <location filename="../console/mainwindow.cpp" line="764"/>
        <location filename="../console/mainwindow.cpp" line="777"/>
        <location filename="../console/mainwindow.cpp" line="797"/>
        <source>Select a node first</source>
        <translation>先にノードを選択してください</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="800"/>
        <source>Node %1</source>
        <translation>ノード %1</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="699"/>
        <location filename="../console/mainwindow.cpp" line="804"/>
        <source>&amp;Kill…</source>
        <translation>強制終了(&amp;K)…</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="392"/>
        <source>Export CSV…</source>
        <translation>CSV に書き出す…</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="394"/>
        <source>Export the failover history</source>
        <translation>フェイルオーバー履歴の書き出し</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="395"/>
        <source>CSV (*.csv)</source>
        <translation>CSV (*.csv)</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="405"/>
        <source>Write every failover, with its phases, to a CSV file</source>
        <translation>すべてのフェイルオーバーをフェーズ付きで CSV ファイルに書き出す</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="407"/>
        <source>Phases: detection (failure to the first survivor noticing), election (to the new plan), tunnels (to the last new tunnel up); total is the whole outage. Click a row to see the plan before and after.</source>
        <translation>フェーズ: 検出 (障害から最初の生存ノードが気付くまで)、選出 (新プランまで)、トンネル (最後の新トンネル稼働まで)。合計は停止時間の全体です。行をクリックすると前後のプランを表示します。</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="704"/>
        <location filename="../console/mainwindow.cpp" line="806"/>
        <source>Fail &amp;adapter</source>
        <translation>アダプター障害(&amp;A)</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="760"/>
        <source>Kill node %1</source>
        <translation>ノード %1 を強制終了</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="761"/>
        <source>Fail an adapter of node %1</source>
        <translation>ノード %1 のアダプターを障害にする</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="763"/>
        <source>Drain node %1</source>
        <translation>ノード %1 をドレイン</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="764"/>
        <source>Restore node %1</source>
        <translation>ノード %1 を復元</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="767"/>
        <source>&amp;What if node %1 fails?</source>
        <translation>ノード %1 の障害時の予測(&amp;W)</translation>
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
        <translation>ドレイン(&amp;D)…</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="500"/>
        <source>Rows: the receiving node. Columns: the node whose probes it hears. Cells: the share of recent probes heard.</source>
        <translation>行: 受信ノード。列: そのプローブを受信するノード。セル: 直近のプローブの受信率。</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="714"/>
        <location filename="../console/mainwindow.cpp" line="809"/>
        <source>&amp;Restore…</source>
        <translation>復元(&amp;R)…</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="831"/>
        <source>What-if: %1</source>
        <translation>予測: %1</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="835"/>
        <source>What if node %1 is drained</source>
        <translation>ノード %1 をドレインした場合</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="836"/>
        <source>What if node %1 fails</source>
        <translation>ノード %1 が障害になった場合</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="837"/>
        <source>What if adapter %1 of node %2 fails</source>
        <translation>ノード %2 のアダプター %1 が障害になった場合</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="839"/>
        <source>%1: the plan it would leave (Esc: back)</source>
        <translation>%1: その結果のプラン (Esc: 戻る)</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="861"/>
        <source>Operator token</source>
        <translation>オペレータートークン</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="873"/>
        <source>Reconnecting with the operator token…</source>
        <translation>オペレータートークンで再接続しています…</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="1061"/>
        <source>Find node</source>
        <translation>ノードを検索</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="1061"/>
        <source>Node id or address:</source>
        <translation>ノード ID またはアドレス:</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="1067"/>
        <source>No node matches “%1”</source>
        <translation>「%1」に一致するノードはありません</translation>
    </message>
    <message numerus="yes">
        <location filename="../console/mainwindow.cpp" line="1072"/>
        <source>%n node(s) match</source>
        <translation>
            <numerusform>%n 個のノードが一致</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="1089"/>
        <source>&lt;p&gt;&lt;b&gt;Listeners&lt;/b&gt; on its networks:&lt;/p&gt;</source>
        <translation>&lt;p&gt;このノードのネットワークの&lt;b&gt;リスナー&lt;/b&gt;:&lt;/p&gt;</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="1104"/>
        <source>&lt;p&gt;&lt;b&gt;Limits&lt;/b&gt; of its relay:&lt;/p&gt;</source>
        <translation>&lt;p&gt;リレーの&lt;b&gt;制限&lt;/b&gt;:&lt;/p&gt;</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="1119"/>
        <source>No agent</source>
        <translation>エージェントなし</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="1126"/>
        <source>Disconnected</source>
        <translation>切断</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="1127"/>
        <source>Disconnected: %1</source>
        <translation>切断: %1</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="1130"/>
        <source>Connecting to %1…</source>
        <translation>%1 に接続しています…</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="1134"/>
        <source>Connected to %1 (agent %2, operator)</source>
        <translation>%1 に接続済み (エージェント %2、オペレーター)</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="1135"/>
        <source>Connected to %1 (agent %2, read-only)</source>
        <translation>%1 に接続済み (エージェント %2、読み取り専用)</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="1138"/>
        <source>Reconnecting (next: %1)…</source>
        <translation>再接続しています (次: %1)…</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="1152"/>
        <source>No update yet</source>
        <translation>まだ更新なし</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="1157"/>
        <source>%1 s ago</source>
        <translation>%1 秒前</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="1158"/>
        <source>%1 min ago</source>
        <translation>%1 分前</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="1159"/>
        <source>%1 h ago</source>
        <translation>%1 時間前</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="1160"/>
        <source>Updated %1</source>
        <translation>更新: %1</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="1161"/>
        <source>Stale: last update %1</source>
        <translation>古い表示: 最終更新 %1</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="1163"/>
        <source>Last word from an agent (a snapshot or an event) at %1</source>
        <translation>エージェントからの最後の受信 (スナップショットまたはイベント): %1</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="1172"/>
        <source>Export</source>
        <translation>エクスポート</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="1173"/>
        <source>PNG image (*.png);;SVG image (*.svg);;Snapshot JSON (*.json);;GraphViz DOT (*.dot)</source>
        <translation>PNG 画像 (*.png);;SVG 画像 (*.svg);;スナップショット JSON (*.json);;GraphViz DOT (*.dot)</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="400"/>
        <location filename="../console/mainwindow.cpp" line="1178"/>
        <source>Saved %1</source>
        <translation>%1 を保存しました</translation>
    </message>
    <message>
        <location filename="../console/mainwindow.cpp" line="401"/>
        <location filename="../console/mainwindow.cpp" line="1180"/>
        <source>Export failed: %1</source>
        <translation>エクスポートに失敗しました: %1</translation>
    </message>
</context>
<context>
    <name>dmr::console::NodeTableModel</name>
    <message>
        <location filename="../console/models/node_table_model.cpp" line="101"/>
        <source>system leader</source>
        <translation>システムリーダー</translation>
    </message>
    <message>
        <location filename="../console/models/node_table_model.cpp" line="103"/>
        <source>leader of 1 network</source>
        <translation>1 個のネットワークのリーダー</translation>
    </message>
    <message>
        <location filename="../console/models/node_table_model.cpp" line="104"/>
        <source>leader of %1 networks</source>
        <translation>%1 個のネットワークのリーダー</translation>
    </message>
    <message>
        <location filename="../console/models/node_table_model.cpp" line="106"/>
        <source>member</source>
        <translation>メンバー</translation>
    </message>
    <message>
        <location filename="../console/models/node_table_model.cpp" line="129"/>
        <source>never joined</source>
        <translation>未参加</translation>
    </message>
    <message>
        <location filename="../console/models/node_table_model.cpp" line="138"/>
        <source>%1 (failed)</source>
        <translation>%1 (障害)</translation>
    </message>
    <message>
        <location filename="../console/models/node_table_model.cpp" line="146"/>
        <source>Routing point of %1</source>
        <translation>%1 のルーティングポイント</translation>
    </message>
    <message>
        <location filename="../console/models/node_table_model.cpp" line="148"/>
        <source>In the topology file, but no agent has seen it join</source>
        <translation>トポロジーファイルにはありますが、参加を確認したエージェントはありません</translation>
    </message>
    <message>
        <location filename="../console/models/node_table_model.cpp" line="206"/>
        <source>Node</source>
        <translation>ノード</translation>
    </message>
    <message>
        <location filename="../console/models/node_table_model.cpp" line="208"/>
        <source>State</source>
        <translation>状態</translation>
    </message>
    <message>
        <location filename="../console/models/node_table_model.cpp" line="210"/>
        <source>Roles</source>
        <translation>役割</translation>
    </message>
    <message>
        <location filename="../console/models/node_table_model.cpp" line="212"/>
        <source>Networks</source>
        <translation>ネットワーク</translation>
    </message>
    <message>
        <location filename="../console/models/node_table_model.cpp" line="214"/>
        <source>Interfaces</source>
        <translation>インターフェース</translation>
    </message>
</context>
<context>
    <name>dmr::console::ReachabilityModel</name>
    <message>
        <location filename="../console/models/reachability_model.cpp" line="113"/>
        <source>Node %1</source>
        <translation>ノード %1</translation>
    </message>
    <message>
        <location filename="../console/models/reachability_model.cpp" line="115"/>
        <source>Node %1 did not answer: it is down or out of the cluster</source>
        <translation>ノード %1 が応答しません: ダウンしているかクラスタ外です</translation>
    </message>
    <message>
        <location filename="../console/models/reachability_model.cpp" line="117"/>
        <source>Node %1 does not run the reachability probe</source>
        <translation>ノード %1 は到達性プローブを実行していません</translation>
    </message>
    <message>
        <location filename="../console/models/reachability_model.cpp" line="119"/>
        <source>%1 does not hear %2: last heard %3 ms ago; %4 received, %5 lost</source>
        <translation>%1 は %2 を受信していません: 最終受信 %3 ms 前; 受信 %4、損失 %5</translation>
    </message>
    <message>
        <location filename="../console/models/reachability_model.cpp" line="124"/>
        <source>%1 has never heard %2</source>
        <translation>%1 は %2 を一度も受信していません</translation>
    </message>
    <message>
        <location filename="../console/models/reachability_model.cpp" line="126"/>
        <source>%1 hears %2: %3% of the recent probes heard; %4 received and %5 lost in all; last heard %6 ms ago</source>
        <translation>%1 は %2 を受信: 直近のプローブの %3% を受信。累計 %4 受信、%5 欠落。最後の受信は %6 ms 前</translation>
    </message>
    <message>
        <location filename="../console/models/reachability_model.cpp" line="134"/>
        <source>%1 extra copies dropped (normal: a probe can arrive by two routes while the plan changes)</source>
        <translation>余分なコピー %1 件を破棄 (正常: プラン変更中はプローブが 2 つの経路で届くことがあります)</translation>
    </message>
    <message>
        <location filename="../console/models/reachability_model.cpp" line="139"/>
        <source>%1; via %2</source>
        <translation>%1; 経路 %2</translation>
    </message>
    <message>
        <location filename="../console/models/reachability_model.cpp" line="168"/>
        <source>Probes sent by node %1</source>
        <translation>ノード %1 が送信したプローブ</translation>
    </message>
    <message>
        <location filename="../console/models/reachability_model.cpp" line="169"/>
        <source>What node %1 hears</source>
        <translation>ノード %1 が受信するもの</translation>
    </message>
</context>
<context>
    <name>dmr::console::RelayStatePoller</name>
    <message>
        <location filename="../console/client/relay_state_poller.cpp" line="111"/>
        <source>cannot speak TLS to %1: %2</source>
        <translation>%1 と TLS で通信できません: %2</translation>
    </message>
    <message>
        <location filename="../console/client/relay_state_poller.cpp" line="151"/>
        <location filename="../console/client/relay_state_poller.cpp" line="204"/>
        <source>agent at %1: %2</source>
        <translation>%1 のエージェント: %2</translation>
    </message>
    <message>
        <location filename="../console/client/relay_state_poller.cpp" line="161"/>
        <source>could not ask %1: %2</source>
        <translation>%1 に問い合わせできませんでした: %2</translation>
    </message>
    <message>
        <location filename="../console/client/relay_state_poller.cpp" line="166"/>
        <source>agent at %1 did not answer within %2 ms</source>
        <translation>%1 のエージェントが %2 ms 以内に応答しませんでした</translation>
    </message>
    <message>
        <location filename="../console/client/relay_state_poller.cpp" line="187"/>
        <source>agent at %1: %2: %3</source>
        <translation>%1 のエージェント: %2: %3</translation>
    </message>
    <message>
        <location filename="../console/client/relay_state_poller.cpp" line="191"/>
        <source>agent at %1 sent a line that is not a reply</source>
        <translation>%1 のエージェントが応答ではない行を送信しました</translation>
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
        <translation>トンネル</translation>
    </message>
    <message>
        <location filename="../console/timelinewidget.cpp" line="327"/>
        <source>election</source>
        <translation>選出</translation>
    </message>
    <message>
        <location filename="../console/timelinewidget.cpp" line="327"/>
        <source>detection</source>
        <translation>検出</translation>
    </message>
    <message>
        <location filename="../console/timelinewidget.cpp" line="339"/>
        <source>Failover phases (ms)</source>
        <translation>フェイルオーバーのフェーズ (ms)</translation>
    </message>
    <message>
        <location filename="../console/timelinewidget.cpp" line="344"/>
        <source>drills</source>
        <translation>演習</translation>
    </message>
    <message>
        <location filename="../console/timelinewidget.cpp" line="344"/>
        <source>degraded</source>
        <translation>縮退</translation>
    </message>
    <message>
        <location filename="../console/timelinewidget.cpp" line="345"/>
        <source>plans</source>
        <translation>プラン</translation>
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
        <translation>未完了</translation>
    </message>
    <message>
        <location filename="../console/timelinewidget.cpp" line="468"/>
        <source>Failover of node %1 (%2) at %3
detection %4 ms, election %5, tunnels %6
total %7
Click to see the plan before and after.</source>
        <translation>%3 のノード %1 のフェイルオーバー (%2)
検出 %4 ms、選出 %5、トンネル %6
合計 %7
クリックで前後のプランを表示。</translation>
    </message>
    <message>
        <location filename="../console/timelinewidget.cpp" line="481"/>
        <source>%1
started %2, %3</source>
        <translation>%1
開始 %2、%3</translation>
    </message>
    <message>
        <location filename="../console/timelinewidget.cpp" line="483"/>
        <source>ended %1</source>
        <translation>終了 %1</translation>
    </message>
    <message>
        <location filename="../console/timelinewidget.cpp" line="483"/>
        <source>in force</source>
        <translation>実施中</translation>
    </message>
    <message>
        <location filename="../console/timelinewidget.cpp" line="490"/>
        <source>Degraded from %1: %2</source>
        <translation>%1 から縮退: %2</translation>
    </message>
    <message>
        <location filename="../console/timelinewidget.cpp" line="491"/>
        <source>, </source>
        <translation>、</translation>
    </message>
    <message>
        <location filename="../console/timelinewidget.cpp" line="497"/>
        <source>View %1 at %2 (from agent %3)
Click to see the plan then.</source>
        <translation>%2 のビュー %1 (エージェント %3 から)
クリックでその時のプランを表示。</translation>
    </message>
</context>
<context>
    <name>dmr::console::TopologyScene</name>
    <message>
        <location filename="../console/scene/export.cpp" line="30"/>
        <location filename="../console/scene/export.cpp" line="35"/>
        <source>cannot write %1: %2</source>
        <translation>%1 に書き込めません: %2</translation>
    </message>
    <message>
        <location filename="../console/scene/export.cpp" line="108"/>
        <source>DMR cluster %1</source>
        <translation>DMR クラスター %1</translation>
    </message>
    <message>
        <location filename="../console/scene/export.cpp" line="113"/>
        <source>view %1</source>
        <translation>ビュー %1</translation>
    </message>
    <message>
        <location filename="../console/scene/export.cpp" line="115"/>
        <source>live</source>
        <translation>ライブ</translation>
    </message>
    <message>
        <location filename="../console/scene/export.cpp" line="116"/>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
    <message>
        <location filename="../console/scene/export.cpp" line="118"/>
        <source>system leader %1</source>
        <translation>システムリーダー %1</translation>
    </message>
    <message>
        <location filename="../console/scene/export.cpp" line="119"/>
        <source>no system leader</source>
        <translation>システムリーダーなし</translation>
    </message>
    <message>
        <location filename="../console/scene/export.cpp" line="137"/>
        <source>cannot allocate a %1×%2 image</source>
        <translation>%1×%2 の画像を確保できません</translation>
    </message>
    <message>
        <location filename="../console/scene/export.cpp" line="158"/>
        <source>cannot encode %1 as PNG: %2</source>
        <translation>%1 を PNG にエンコードできません: %2</translation>
    </message>
    <message>
        <location filename="../console/scene/export.cpp" line="176"/>
        <source>DMR topology</source>
        <translation>DMR トポロジー</translation>
    </message>
    <message>
        <location filename="../console/scene/export.cpp" line="185"/>
        <source>cannot render %1 as SVG</source>
        <translation>%1 を SVG として描画できません</translation>
    </message>
    <message>
        <location filename="../console/scene/topologyitems.cpp" line="1172"/>
        <location filename="../console/scene/topologyscene.cpp" line="65"/>
        <source>system leader</source>
        <translation>システムリーダー</translation>
    </message>
    <message>
        <location filename="../console/scene/topologyitems.cpp" line="1174"/>
        <source>group leader (routes its network)</source>
        <translation>グループリーダー (ネットワークをルーティング)</translation>
    </message>
    <message>
        <location filename="../console/scene/topologyitems.cpp" line="1175"/>
        <source>node up</source>
        <translation>ノード稼働中</translation>
    </message>
    <message>
        <location filename="../console/scene/topologyitems.cpp" line="1176"/>
        <source>node failed</source>
        <translation>ノード障害</translation>
    </message>
    <message>
        <location filename="../console/scene/topologyitems.cpp" line="1177"/>
        <source>node drained (maintenance)</source>
        <translation>ノードドレイン済み (保守)</translation>
    </message>
    <message>
        <location filename="../console/scene/topologyitems.cpp" line="1180"/>
        <source>failed adapter</source>
        <translation>障害アダプター</translation>
    </message>
    <message>
        <location filename="../console/scene/topologyitems.cpp" line="1182"/>
        <source>unreachable (no node hears its probes)</source>
        <translation>到達不能 (どのノードもプローブを受信していない)</translation>
    </message>
    <message>
        <location filename="../console/scene/topologyitems.cpp" line="1183"/>
        <source>tunnel up</source>
        <translation>トンネル稼働中</translation>
    </message>
    <message>
        <location filename="../console/scene/topologyitems.cpp" line="1184"/>
        <source>tunnel pending</source>
        <translation>トンネル保留中</translation>
    </message>
    <message>
        <location filename="../console/scene/topologyscene.cpp" line="47"/>
        <location filename="../console/scene/topologyscene.cpp" line="632"/>
        <source>up</source>
        <translation>稼働中</translation>
    </message>
    <message>
        <location filename="../console/scene/topologyscene.cpp" line="49"/>
        <source>failed</source>
        <translation>障害</translation>
    </message>
    <message>
        <location filename="../console/scene/topologyscene.cpp" line="51"/>
        <source>drained</source>
        <translation>ドレイン済み</translation>
    </message>
    <message>
        <location filename="../console/scene/topologyscene.cpp" line="57"/>
        <source>down</source>
        <translation>停止</translation>
    </message>
    <message>
        <location filename="../console/scene/topologyscene.cpp" line="67"/>
        <source>leader of %1</source>
        <translation>%1 のリーダー</translation>
    </message>
    <message>
        <location filename="../console/scene/topologyscene.cpp" line="148"/>
        <location filename="../console/scene/topologyscene.cpp" line="292"/>
        <source>Node %1: %2</source>
        <translation>ノード %1: %2</translation>
    </message>
    <message>
        <location filename="../console/scene/topologyscene.cpp" line="150"/>
        <source>System leader</source>
        <translation>システムリーダー</translation>
    </message>
    <message>
        <location filename="../console/scene/topologyscene.cpp" line="156"/>
        <source>Leads %1</source>
        <translation>%1 をリード</translation>
    </message>
    <message>
        <location filename="../console/scene/topologyscene.cpp" line="162"/>
        <source>adapter failed</source>
        <translation>アダプター障害</translation>
    </message>
    <message>
        <location filename="../console/scene/topologyscene.cpp" line="280"/>
        <source>No tunnel from system leader %1, so %2 is cut off: %3</source>
        <translation>システムリーダー %1 からのトンネルがないため、%2 は切り離されています: %3</translation>
    </message>
    <message numerus="yes">
        <location filename="../console/scene/topologyscene.cpp" line="435"/>
        <source>and %n more</source>
        <translation>
            <numerusform>ほか %n 件</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../console/scene/topologyscene.cpp" line="436"/>
        <source>Network %1</source>
        <translation>ネットワーク %1</translation>
    </message>
    <message>
        <location filename="../console/scene/topologyscene.cpp" line="437"/>
        <source>Nodes: %1</source>
        <translation>ノード: %1</translation>
    </message>
    <message>
        <location filename="../console/scene/topologyscene.cpp" line="461"/>
        <source>%1 %2 on %3</source>
        <translation>%3 上の %1 %2</translation>
    </message>
    <message>
        <location filename="../console/scene/topologyscene.cpp" line="293"/>
        <source>Node %1: %2
%3</source>
        <translation>ノード %1: %2
%3</translation>
    </message>
    <message>
        <location filename="../console/scene/topologyscene.cpp" line="281"/>
        <location filename="../console/scene/topologyscene.cpp" line="294"/>
        <location filename="../console/scene/topologyscene.cpp" line="786"/>
        <location filename="../console/scene/topologyscene.cpp" line="789"/>
        <location filename="../console/scene/topologyscene.cpp" line="792"/>
        <source>, </source>
        <translation>、</translation>
    </message>
    <message>
        <location filename="../console/scene/topologyscene.cpp" line="628"/>
        <source>Tunnel %1 %2 %3 ⇄ %4 %5 %6</source>
        <translation>トンネル %1 %2 %3 ⇄ %4 %5 %6</translation>
    </message>
    <message>
        <location filename="../console/scene/topologyscene.cpp" line="632"/>
        <source>pending: an end is not yet in the GL_group</source>
        <translation>保留中: 端点の一方がまだ GL_group に属していません</translation>
    </message>
    <message>
        <location filename="../console/scene/topologyscene.cpp" line="741"/>
        <source>closes: %1</source>
        <translation>閉鎖: %1</translation>
    </message>
    <message>
        <location filename="../console/scene/topologyscene.cpp" line="786"/>
        <location filename="../console/scene/topologyscene.cpp" line="792"/>
        <source>loses %1</source>
        <translation>%1 を失う</translation>
    </message>
    <message>
        <location filename="../console/scene/topologyscene.cpp" line="789"/>
        <source>takes over %1</source>
        <translation>%1 を引き継ぐ</translation>
    </message>
    <message>
        <location filename="../console/scene/topologyitems.cpp" line="324"/>
        <source>no leader</source>
        <translation>リーダーなし</translation>
    </message>
    <message>
        <location filename="../console/scene/topologyitems.cpp" line="325"/>
        <source>leader %1</source>
        <translation>リーダー %1</translation>
    </message>
    <message numerus="yes">
        <location filename="../console/scene/topologyitems.cpp" line="326"/>
        <source>· %1/%n up</source>
        <translation>
            <numerusform>· %1/%n 稼働中</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../console/scene/topologyitems.cpp" line="853"/>
        <source>carries %1</source>
        <translation>%1 を担当</translation>
    </message>
    <message>
        <location filename="../console/scene/topologyitems.cpp" line="861"/>
        <source>%1 (pending)</source>
        <translation>%1 (保留中)</translation>
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
        <translation>ノード停止</translation>
    </message>
    <message>
        <location filename="../console/scene/topologyitems.cpp" line="1179"/>
        <location filename="../console/scene/topologyscene.cpp" line="53"/>
        <source>never joined</source>
        <translation>未参加</translation>
    </message>
    <message>
        <location filename="../console/scene/topologyitems.cpp" line="1217"/>
        <location filename="../console/scene/topologyitems.cpp" line="1242"/>
        <source>Legend</source>
        <translation>凡例</translation>
    </message>
</context>
</TS>
