//! The page's words in English and Japanese. kubectl's own output stays as kubectl prints it;
//! everything the playground itself says is here. The language follows the browser's unless
//! the learner picked one (kept in the browser's storage).

use leptos::prelude::*;

/// English or Japanese: the lessons' languages are the page's.
pub use hakoniwa_core::lessons::Lang;

/// Everything the page says, by meaning.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Key {
    Subtitle,
    Context,
    Export,
    ExportTitle,
    Reset,
    ResetTitle,
    Preset,
    PresetTitle,
    Terminal,
    Cluster,
    Editor,
    ShowSystemPods,
    NodeTable,
    NotScheduled,
    Services,
    Forwarded,
    ForwardPath,
    NewFile,
    NewFileName,
    Apply,
    DryRun,
    Pause,
    StepMinute,
    StepTitle,
    ClockLabel,
    ClockTitle,
    Language,
    Banner,
    Restored,
    SaveFailed,
    KeptAside,
    BootFailed,
    TerminalFailed,
    EditorFailed,
    Crash,
    Reload,
    Close,
    Share,
    ShareTitle,
    LinkCopied,
    LinkReady,
    SharedOpened,
    SharedOpenedAside,
    ShareBroken,
    LargePrint,
    LargePrintTitle,
    Import,
    ImportTitle,
    ImportBroken,
    Diff,
    NewFromKind,
    Max,
    Playgrounds,
    KeptAsideLabel,
    Open,
    Forget,
    CopyName,
    KeepCopy,
    Lessons,
    AllLessons,
    StartLesson,
    StartNote,
    Restart,
    Checks,
    ShowHint,
    ShowSolution,
    DoSolution,
    RunInTerminal,
    OpenInEditor,
    LessonDone,
    NextLesson,
    PreviousLesson,
    RestartConfirm,
    LessonsFailed,
    Loading,
    StepDone,
    StepCurrent,
    Holds,
    NotYet,
}

/// "3 pods" in the page's language.
pub fn pods(lang: Lang, n: usize) -> String {
    match lang {
        Lang::En if n == 1 => "1 pod".to_string(),
        Lang::En => format!("{n} pods"),
        Lang::Ja => format!("Pod {n} 個"),
    }
}

/// A pod state of the cluster view (see `cluster_view::pods::state`), as a word.
pub fn pod_state(lang: Lang, state: &str) -> &'static str {
    match (lang, state) {
        (Lang::En, "ready") => "ready",
        (Lang::En, "unready") => "not ready",
        (Lang::En, "starting") => "starting",
        (Lang::En, "stopping") => "terminating",
        (Lang::En, "done") => "completed",
        (Lang::En, _) => "failing",
        (Lang::Ja, "ready") => "準備完了",
        (Lang::Ja, "unready") => "未準備",
        (Lang::Ja, "starting") => "起動中",
        (Lang::Ja, "stopping") => "終了中",
        (Lang::Ja, "done") => "完了",
        (Lang::Ja, _) => "異常",
    }
}

pub fn text(lang: Lang, key: Key) -> &'static str {
    use Key::*;
    match lang {
        Lang::En => match key {
            Subtitle => " 箱庭 — a Kubernetes cluster in your browser tab",
            Context => "context: ",
            Export => "Export",
            ExportTitle => "Download this playground as a file",
            Reset => "Reset",
            ResetTitle => "Forget this playground and start a fresh cluster",
            Preset => "cluster: ",
            PresetTitle => "Start a fresh cluster of this shape (the current playground is kept aside, under Kept)",
            Terminal => "Terminal",
            Cluster => "Cluster",
            Editor => "Editor",
            ShowSystemPods => " show kube-system pods",
            NodeTable => "kubectl get nodes",
            NotScheduled => "not scheduled",
            Services => "Services and Ingresses",
            Forwarded => "Forwarded ports (kubectl port-forward)",
            ForwardPath => "Path to ask for",
            NewFile => "New",
            NewFileName => "New file name",
            Apply => "Apply",
            DryRun => "Dry run",
            Pause => "Pause",
            StepMinute => "+1 min",
            StepTitle => "Let one minute of cluster time pass now",
            ClockLabel => "Simulation clock",
            ClockTitle => "The cluster's time",
            Language => "日本語",
            Banner => "Hakoniwa: a simulated Kubernetes v1.33 cluster in this tab.\r\nType `help` to see what runs here.\r\n\r\n",
            Restored => "(Your playground was restored from this browser: the cluster, the files and the command history.)",
            SaveFailed => "Saving failed; the last good save is kept and the cluster keeps running.",
            KeptAside => "The saved playground could not be restored and was kept aside; a fresh cluster started.",
            BootFailed => "The cluster could not start:",
            TerminalFailed => "The terminal could not start:",
            EditorFailed => "The editor could not start:",
            Crash => "Hakoniwa stopped: it hit a bug (details are in the browser console). Reloading restores your playground from its last save.",
            Reload => "Reload",
            Close => "Close",
            Share => "Share",
            ShareTitle => "Make a link that opens this playground (cluster, files, history) in another browser",
            LinkCopied => "A link to this playground is on the clipboard:",
            LinkReady => "A link to this playground (copy it):",
            SharedOpened => "This playground came from a shared link.",
            SharedOpenedAside => "This playground came from a shared link; your own was kept aside.",
            ShareBroken => "The shared link could not be opened; your own playground goes on.",
            LargePrint => "A+",
            LargePrintTitle => "Large print, for a projector",
            Import => "Import",
            ImportTitle => "Open a playground exported before (this one is kept aside)",
            Diff => "Diff",
            NewFromKind => "New from a kind…",
            Max => "Max",
            Playgrounds => "Playgrounds",
            KeptAsideLabel => "kept aside",
            Open => "Open",
            Forget => "Forget",
            CopyName => "name for a copy",
            KeepCopy => "Keep a copy",
            ImportBroken => "That file is not a playground this Hakoniwa can open; this one goes on.",
            Lessons => "Lessons",
            AllLessons => "← All lessons",
            StartLesson => "Start this lesson",
            StartNote => "It starts from a fresh cluster; a playground of your own is kept aside.",
            Restart => "Start over",
            Checks => "What is checked",
            ShowHint => "Show a hint",
            ShowSolution => "Show the solution",
            DoSolution => "Do it for me",
            RunInTerminal => "Run in terminal",
            OpenInEditor => "Open in editor",
            LessonDone => "Lesson complete: every step holds.",
            NextLesson => "Next lesson →",
            PreviousLesson => "← Previous lesson",
            RestartConfirm => "Start this lesson over from a fresh cluster? Its cluster and files as they are now will be gone.",
            LessonsFailed => "The lessons could not be loaded:",
            Loading => "Loading…",
            StepDone => "done",
            StepCurrent => "now",
            Holds => "holds",
            NotYet => "not yet",
        },
        Lang::Ja => match key {
            Subtitle => " 箱庭 — ブラウザのタブの中の Kubernetes クラスター",
            Context => "コンテキスト: ",
            Export => "書き出し",
            ExportTitle => "このプレイグラウンドをファイルとして保存します",
            Reset => "リセット",
            ResetTitle => "このプレイグラウンドを消して、新しいクラスターで始めます",
            Preset => "クラスター: ",
            PresetTitle => "この構成の新しいクラスターで始めます(今のプレイグラウンドは「保管」に残ります)",
            Terminal => "ターミナル",
            Cluster => "クラスター",
            Editor => "エディター",
            ShowSystemPods => " kube-system の Pod も表示",
            NodeTable => "kubectl get nodes",
            NotScheduled => "未スケジュール",
            Services => "Service と Ingress",
            Forwarded => "転送中のポート (kubectl port-forward)",
            ForwardPath => "開くパス",
            NewFile => "新規",
            NewFileName => "新しいファイル名",
            Apply => "適用",
            DryRun => "ドライラン",
            Pause => "一時停止",
            StepMinute => "+1 分",
            StepTitle => "クラスターの時間を今すぐ 1 分進めます",
            ClockLabel => "シミュレーションの時計",
            ClockTitle => "クラスターの時刻",
            Language => "English",
            Banner => "箱庭: このタブの中でシミュレートされた Kubernetes v1.33 クラスターです。\r\n使えるコマンドは `help` で表示されます。\r\n\r\n",
            Restored => "(このブラウザに保存されたプレイグラウンドを復元しました: クラスター、ファイル、コマンド履歴。)",
            SaveFailed => "保存できませんでした。最後に保存できた状態は残っており、クラスターは動き続けています。",
            KeptAside => "保存されたプレイグラウンドを復元できなかったため、別に取り置いて新しいクラスターで始めました。",
            BootFailed => "クラスターを起動できませんでした:",
            TerminalFailed => "ターミナルを起動できませんでした:",
            EditorFailed => "エディターを起動できませんでした:",
            Crash => "箱庭が停止しました(不具合です。詳細はブラウザのコンソールにあります)。再読み込みすると、最後に保存した状態から再開します。",
            Reload => "再読み込み",
            Close => "閉じる",
            Share => "共有",
            ShareTitle => "このプレイグラウンド(クラスター・ファイル・履歴)を別のブラウザで開けるリンクを作ります",
            LinkCopied => "このプレイグラウンドへのリンクをクリップボードにコピーしました:",
            LinkReady => "このプレイグラウンドへのリンク(コピーしてください):",
            SharedOpened => "このプレイグラウンドは共有リンクから開かれました。",
            SharedOpenedAside => "このプレイグラウンドは共有リンクから開かれました。あなたのプレイグラウンドは別に取り置きました。",
            ShareBroken => "共有リンクを開けませんでした。あなたのプレイグラウンドはそのまま続きます。",
            LargePrint => "A+",
            LargePrintTitle => "大きな文字(プロジェクター向け)",
            Import => "読み込み",
            ImportTitle => "書き出したプレイグラウンドを開きます(今のものは別に取り置きます)",
            Diff => "差分",
            NewFromKind => "種類から新規作成…",
            Max => "最速",
            Playgrounds => "プレイグラウンド",
            KeptAsideLabel => "取り置き",
            Open => "開く",
            Forget => "削除",
            CopyName => "コピーの名前",
            KeepCopy => "コピーを保存",
            ImportBroken => "このファイルは開けるプレイグラウンドではありません。今のプレイグラウンドはそのまま続きます。",
            Lessons => "レッスン",
            AllLessons => "← レッスン一覧",
            StartLesson => "このレッスンを始める",
            StartNote => "新しいクラスターから始めます。自分で作ったプレイグラウンドは別に取り置きます。",
            Restart => "最初からやり直す",
            Checks => "確認していること",
            ShowHint => "ヒントを見る",
            ShowSolution => "解答を見る",
            DoSolution => "代わりに実行する",
            RunInTerminal => "ターミナルで実行",
            OpenInEditor => "エディターで開く",
            LessonDone => "レッスン完了: すべてのステップを確認できました。",
            NextLesson => "次のレッスン →",
            PreviousLesson => "← 前のレッスン",
            RestartConfirm => "新しいクラスターでこのレッスンを最初からやり直しますか？ 今のクラスターとファイルは失われます。",
            LessonsFailed => "レッスンを読み込めませんでした:",
            Loading => "読み込み中…",
            StepDone => "完了",
            StepCurrent => "進行中",
            Holds => "OK",
            NotYet => "まだ",
        },
    }
}

const KEY: &str = "hakoniwa.lang";

/// The learner's choice, else the browser's language.
pub fn initial() -> Lang {
    let chosen = crate::storage::local().and_then(|s| s.get_item(KEY).ok().flatten());
    let browser = web_sys::window().and_then(|w| w.navigator().language());
    match chosen.or(browser).as_deref() {
        Some(l) if l.starts_with("ja") => Lang::Ja,
        _ => Lang::En,
    }
}

/// The page's language, shared through the context.
#[derive(Clone, Copy)]
pub struct I18n(pub RwSignal<Lang>);

impl I18n {
    pub fn new() -> I18n {
        let i = I18n(RwSignal::new(initial()));
        i.mark_document();
        i
    }

    /// Text in the current language (re-renders the caller when it changes).
    pub fn t(&self, key: Key) -> &'static str {
        text(self.0.get(), key)
    }

    pub fn pods(&self, n: usize) -> String {
        pods(self.0.get(), n)
    }

    pub fn pod_state(&self, state: &str) -> &'static str {
        pod_state(self.0.get(), state)
    }

    pub fn untracked(&self, key: Key) -> &'static str {
        text(self.0.get_untracked(), key)
    }

    pub fn toggle(&self) {
        let next = if self.0.get_untracked() == Lang::En { Lang::Ja } else { Lang::En };
        self.0.set(next);
        if let Some(s) = crate::storage::local() {
            let _ = s.set_item(KEY, if next == Lang::Ja { "ja" } else { "en" });
        }
        self.mark_document();
    }

    fn mark_document(&self) {
        if let Some(el) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.document_element()) {
            let _ = el.set_attribute("lang", if self.0.get_untracked() == Lang::Ja { "ja" } else { "en" });
        }
    }
}

impl Default for I18n {
    fn default() -> Self {
        I18n::new()
    }
}

/// The page's language from the context (English when none was provided, as in component tests).
pub fn use_i18n() -> I18n {
    use_context::<I18n>().unwrap_or_else(|| I18n(RwSignal::new(Lang::En)))
}
