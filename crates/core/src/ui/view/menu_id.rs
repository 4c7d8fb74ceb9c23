//! What a menu row does, and its stable string id (muda `MenuId`): `lookback:6`, `tier:batch`,
//! `track:key_abc`, `track:*`,
//! `track-set:key_a,key_b`. Parsing the id back is how clicks come home.

use crate::pricing::TierChoice;
use crate::ui::view::TitleFormat;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    Refresh,
    /// Hours.
    Lookback(u32),
    /// A calendar Lookback: `lookback:today`, `lookback:week`, `lookback:month`.
    Calendar(crate::plan::periods::Calendar),
    /// The lookback set outside the menu when it offers no such row (shown checked, disabled).
    OtherLookback,
    Tier(TierChoice),
    Title(TitleFormat),
    /// `None`: the whole organization.
    Track(Option<String>),
    /// Several keys at once (a selection from the settings file).
    TrackSet(Vec<String>),
    SetAdminKey,
    Dashboard,
    /// Write the HTML report of the stored history and open it in the browser.
    OpenReport,
    LoginItem,
    /// Write what this run was started with (flags, environment) into the settings file, so a
    /// start at login has it too.
    SaveStartup,
    About,
    Quit,
}

impl Action {
    pub fn id(&self) -> String {
        match self {
            Action::Refresh => "refresh".into(),
            Action::Lookback(h) => format!("lookback:{h}"),
            Action::OtherLookback => "lookback:other".into(),
            Action::Calendar(c) => format!("lookback:{}", c.as_str()),
            Action::Tier(t) => format!("tier:{}", t.as_str()),
            Action::Title(t) => format!("title:{}", t.as_str()),
            Action::Track(None) => "track:*".into(),
            Action::Track(Some(id)) => format!("track:{id}"),
            Action::TrackSet(ids) => format!("track-set:{}", ids.join(",")),
            Action::SetAdminKey => "admin-key".into(),
            Action::Dashboard => "dashboard".into(),
            Action::OpenReport => "report".into(),
            Action::LoginItem => "login-item".into(),
            Action::SaveStartup => "save-startup".into(),
            Action::About => "about".into(),
            Action::Quit => "quit".into(),
        }
    }

    pub fn parse(id: &str) -> Option<Action> {
        Some(match id.split_once(':') {
            None => match id {
                "refresh" => Action::Refresh,
                "admin-key" => Action::SetAdminKey,
                "dashboard" => Action::Dashboard,
                "report" => Action::OpenReport,
                "login-item" => Action::LoginItem,
                "save-startup" => Action::SaveStartup,
                "about" => Action::About,
                "quit" => Action::Quit,
                _ => return None,
            },
            Some(("lookback", "other")) => Action::OtherLookback,
            Some(("lookback", h)) => match crate::plan::periods::Calendar::parse(h) {
                Some(c) => Action::Calendar(c),
                None => Action::Lookback(h.parse().ok()?),
            },
            Some(("tier", t)) => Action::Tier(t.parse().ok()?),
            Some(("title", t)) => {
                Action::Title(TitleFormat::ALL.into_iter().find(|f| f.as_str() == t)?)
            }
            Some(("track", "*")) => Action::Track(None),
            Some(("track", id)) => Action::Track(Some(id.to_owned())),
            Some(("track-set", ids)) => {
                Action::TrackSet(ids.split(',').map(str::to_owned).collect())
            }
            _ => return None,
        })
    }
}
