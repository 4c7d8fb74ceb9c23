//! `usage-tracker` with no subcommand: the menu-bar app, as a thin shell around the core's
//! [`core::AppCore`] (`usage_tracker_core::app`).
//!
//! tao owns the main thread and sleeps between events (`ControlFlow::Wait`, or until the time
//! the core asks for). Everything that wakes it is a [`core::Input`], sent through the event loop
//! proxy: worker results, menu clicks, dialog answers. The shell hands each to
//! [`core::AppCore::on`] and performs the effects it returns: rendering and quitting here, the
//! network on the worker's runtime ([`worker`]), and every call that may block (notification,
//! settings write, secret store, dialog, browser, login item) on the worker's blocking pool
//! ([`core::Platform::run`], with the files and the tray host of [`effects`]). It decides
//! nothing.

mod effects;
#[cfg(test)]
mod tests;
mod told;
mod worker;

use super::CliError;
use crate::engine::now_ms;
use crate::platform::browser::SystemBrowser;
use crate::platform::dialog::SystemDialogs;
use crate::platform::notify::SystemNotifier;
use crate::platform::single_instance::{self, InstanceGuard};
use crate::platform::{login_item, menu_bar, secret};
use crate::settings::Settings;
use crate::ui::tray::Tray;
use effects::SystemFiles;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tao::event::{Event as TaoEvent, StartCause};
use tao::event_loop::{ControlFlow, EventLoopBuilder};
use tokio::sync::mpsc::UnboundedSender;
use usage_tracker_core::app::{self as core, AppCore, Effect, Input, Platform};
use worker::Job;

pub fn run(settings: Settings) -> Result<ExitCode, CliError> {
    if !crate::platform::has_display() {
        return Err(CliError::Other(
            "no graphical session (DISPLAY and WAYLAND_DISPLAY are unset): the menu-bar app needs a desktop; in a terminal use `usage-tracker once` or `usage-tracker watch`".into(),
        ));
    }
    crate::platform::desktop_log::route_glib_logs();
    let guard = single_instance::acquire(&single_instance::default_path())
        .map_err(|e| CliError::Other(e.to_string()))?;
    let mut event_loop = EventLoopBuilder::<Input>::with_user_event().build();
    menu_bar::configure_event_loop(&mut event_loop);
    let proxy = event_loop.create_proxy();
    let login = match login_item::current() {
        Ok(l) => Some(Arc::from(l)),
        Err(e) => {
            tracing::warn!("{e}");
            None
        }
    };
    let platform = Platform {
        notifier: Arc::new(SystemNotifier::new()),
        dialogs: Arc::new(SystemDialogs),
        browser: Arc::new(SystemBrowser),
        secrets: Arc::new(secret::system()),
        login,
        files: Arc::new(SystemFiles),
    };
    let jobs = worker::spawn(proxy.clone(), platform)?;
    let mut shell = Shell {
        core: {
            let mut core = AppCore::new(with_demo_key(settings));
            if let Some(path) = core.told_path() {
                let told = told::load(path);
                core.restore_told(told);
            }
            core
        },
        tray: None,
        jobs,
        guard: Some(guard),
        armed: None,
    };
    event_loop.run(move |event, _, flow| {
        let input = match event {
            TaoEvent::NewEvents(StartCause::Init) => {
                crate::ui::tray::forward_events(proxy.clone(), Input::Tray);
                let first = shell.core.first_view(now_ms());
                match Tray::new(&first) {
                    Ok(t) => shell.tray = Some(t),
                    Err(e) => {
                        eprintln!("usage-tracker: {e}");
                        shell.guard = None;
                        std::process::exit(1);
                    }
                }
                // Wakes the run loop once the icon exists (tray-icon's macOS note: without a
                // following event the icon may not be drawn, as with no admin key) and starts.
                let _ = proxy.send_event(Input::Started);
                return;
            }
            TaoEvent::NewEvents(StartCause::ResumeTimeReached { .. }) => Input::Tick,
            TaoEvent::UserEvent(e) => e,
            _ => return,
        };
        let effects = shell.core.on(input, now_ms());
        if shell.perform(effects) {
            shell.guard = None;
            *flow = ControlFlow::Exit;
            return;
        }
        *flow = match shell.core.next_wake(now_ms()) {
            Some(at) => {
                let wait = Duration::from_millis((at - now_ms()).max(0) as u64);
                if shell.armed != Some(at) {
                    shell.armed = Some(at);
                    crate::platform::menu_bar::wake_after(wait);
                }
                ControlFlow::WaitUntil(Instant::now() + wait)
            }
            None => ControlFlow::Wait,
        };
    })
}

/// `--demo` tracks the simulator's demo key unless told otherwise (and the menu says so).
fn with_demo_key(mut settings: Settings) -> Settings {
    crate::engine::demo::track_demo_key(&mut settings);
    settings
}

struct Shell {
    core: AppCore,
    tray: Option<Tray>,
    jobs: UnboundedSender<Job>,
    guard: Option<InstanceGuard>,
    /// The wake-up (unix ms) a timer is armed for, so each deadline gets one timer.
    armed: Option<i64>,
}

impl Shell {
    /// Runs effects in order; `true` to quit.
    fn perform(&mut self, effects: Vec<Effect>) -> bool {
        for e in effects {
            let job = match e {
                Effect::Render(v) => {
                    if let Some(t) = &mut self.tray {
                        t.render(&v);
                    }
                    continue;
                }
                Effect::Quit => return true,
                Effect::Connect(id, settings) => Job::Connect(id, settings),
                Effect::Poll(id, cmd) => Job::Poll(id, cmd),
                other => Job::Platform(other),
            };
            let _ = self.jobs.send(job);
        }
        false
    }
}
