//! The shell's part of the app's rules, with real files: what the core saves through
//! [`SystemFiles`] keeps the user's file and is what the next start (or a start at login)
//! reads; what was told is kept for the next launch; `--demo` tracks the simulator's key. The
//! rules themselves are the core's tests (`cargo test -p usage-tracker-core`).

use super::core::ports::Files;
use super::core::ports::fakes::{
    FakeBrowser, FakeDialogs, FakeLoginItem, FakeNotifier, FakeSecretStore,
};
use super::core::told::path_beside;
use super::*;
use crate::cli::Options;
use crate::plan::periods::Calendar;
use crate::settings::{Environment, Key, Scope};
use crate::ui::tray::TrayInput;
use crate::ui::view::Action;

/// The app as a start with `--settings <dir>/settings.toml` resolves it, its effects run with
/// the real files and the platform's fakes.
struct Run {
    core: AppCore,
    platform: Platform,
    notifier: Arc<FakeNotifier>,
    path: std::path::PathBuf,
}

/// A start that reads `path` as the settings file of the config directory (as at login).
fn resolve(path: &std::path::Path, change: impl FnOnce(&mut Options)) -> Settings {
    let env = Environment {
        config_dir: path.parent().map(Into::into),
        ..Default::default()
    };
    let mut opts = Options::default();
    change(&mut opts);
    let s = crate::settings::resolve(&opts, &env, Scope::App).unwrap();
    assert_eq!(s.settings_path.as_deref(), Some(path));
    s
}

impl Run {
    fn new(path: &std::path::Path, mut settings: Settings) -> Run {
        settings.admin_key = Some(crate::settings::AdminKey {
            secret: "sk-admin-test".into(),
            origin: crate::settings::Origin::SecretStore,
        });
        let notifier = Arc::new(FakeNotifier::default());
        let platform = Platform {
            notifier: notifier.clone(),
            dialogs: Arc::new(FakeDialogs::default()),
            browser: Arc::new(FakeBrowser::default()),
            secrets: Arc::new(FakeSecretStore::default()),
            login: Some(Arc::new(FakeLoginItem::default())),
            files: Arc::new(SystemFiles),
        };
        let mut run = Run {
            core: AppCore::new(settings),
            platform,
            notifier,
            path: path.to_owned(),
        };
        run.feed(Input::Started);
        run
    }

    /// Feeds one input and performs its effects as the worker does, feeding answers back.
    fn feed(&mut self, input: Input) {
        let mut queue = vec![input];
        while let Some(input) = queue.pop() {
            for e in self.core.on(input, 1_764_000_000_000) {
                if !matches!(e, Effect::CheckTrayHost | Effect::Stderr(_)) {
                    queue.extend(effects::run(&self.platform, e));
                }
            }
        }
    }

    fn choose(&mut self, a: Action) {
        self.feed(Input::Tray(TrayInput::Menu(a)));
    }

    fn text(&self) -> String {
        std::fs::read_to_string(&self.path).unwrap()
    }
}

#[test]
fn a_choice_is_written_into_the_users_file_and_read_back_at_the_next_start() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("settings.toml");
    std::fs::write(&path, "# mine\ntier = \"batch\" # cheaper\n").unwrap();
    let mut run = Run::new(&path, resolve(&path, |_| {}));
    run.choose(Action::Calendar(Calendar::Today));
    let text = run.text();
    for line in [
        "# mine\n",
        "tier = \"batch\" # cheaper\n",
        "lookback_hours = \"today\"",
    ] {
        assert!(text.contains(line), "{line:?} in {text}");
    }
    let again = resolve(&path, |_| {});
    assert_eq!(again.calendar, Some(Calendar::Today));
    run.choose(Action::Lookback(6));
    assert!(run.text().contains("lookback_hours = 6"), "{}", run.text());
    assert_eq!(resolve(&path, |_| {}).calendar, None);
}

#[test]
fn start_up_options_saved_for_login_are_what_a_start_at_login_reads() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("settings.toml");
    std::fs::write(&path, "# mine\ntier = \"batch\" # cheaper\n").unwrap();
    let settings = resolve(&path, |o| {
        o.set(Key::DailyBudget, "2.5");
    });
    assert!(
        !settings.startup_only.is_empty(),
        "--daily-budget is this run's only"
    );
    let mut run = Run::new(&path, settings);
    run.choose(Action::LoginItem);
    run.choose(Action::SaveStartup);
    let notes = run.notifier.sent.lock().unwrap().clone();
    assert_eq!(
        notes.last().unwrap().summary,
        "Start-up options saved for login"
    );
    let text = run.text();
    for line in [
        "# mine\n",
        "tier = \"batch\" # cheaper\n",
        "daily_budget = 2.5\n",
    ] {
        assert!(text.contains(line), "{line:?} in {text}");
    }
    assert!(!text.contains("sk-admin"), "{text}");
    let at_login = resolve(&path, |_| {});
    assert_eq!(at_login.daily_budget, Some(2.5));
    assert_eq!(at_login.tier.as_str(), "batch");
}

#[test]
fn a_file_that_is_no_toml_is_left_as_it_is_and_the_failure_names_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("settings.toml");
    let mut run = Run::new(&path, resolve_empty(&path));
    std::fs::write(&path, "tier = = \"batch\"\n").unwrap();
    run.choose(Action::Lookback(24));
    let notes = run.notifier.sent.lock().unwrap().clone();
    let n = notes.last().expect("a notification");
    assert!(n.body.contains("not valid TOML (line 1"), "{n:?}");
    assert_eq!(run.text(), "tier = = \"batch\"\n");
}

/// The settings of a start with an empty settings file.
fn resolve_empty(path: &std::path::Path) -> Settings {
    std::fs::write(path, "").unwrap();
    resolve(path, |_| {})
}

#[test]
fn what_was_told_is_written_beside_the_settings_and_read_back() {
    let dir = tempfile::tempdir().unwrap();
    let path = path_beside(&dir.path().join("settings.toml"));
    let told = core::told::Told {
        days: [(vec!["key_a".to_owned()], 1_796_083_200)].into(),
        month: Some(24_323),
    };
    SystemFiles.save_told(&path, &told).unwrap();
    assert_eq!(told::load(&path), told);
}

#[test]
fn the_demo_tracks_the_simulators_key_unless_told_otherwise() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("settings.toml");
    let mut s = resolve_empty(&path);
    assert_eq!(with_demo_key(s.clone()).api_key_ids, Vec::<String>::new());
    s.demo = true;
    let demo = with_demo_key(s.clone());
    assert_eq!(demo.api_key_ids, [crate::simulator::DEMO_KEY_ID]);
    s.api_key_ids = vec!["key_mine".into()];
    assert_eq!(with_demo_key(s).api_key_ids, ["key_mine"]);
}
