//! The Lookback choices that follow the UTC calendar ("Today", "This week", "This month") as
//! a value; their windows and fetch plans are `figures::periods`.

/// A Lookback choice that follows the UTC calendar rather than a number of hours.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Calendar {
    Today,
    /// From Monday 00:00 UTC.
    ThisWeek,
    ThisMonth,
}

impl Calendar {
    pub const ALL: [Calendar; 3] = [Calendar::Today, Calendar::ThisWeek, Calendar::ThisMonth];
    /// The values the `lookback_hours` setting takes for these, in words for messages.
    pub const ACCEPTED: &'static str = "today, week or month";

    /// The setting's value: `today`, `week`, `month`.
    pub fn as_str(self) -> &'static str {
        match self {
            Calendar::Today => "today",
            Calendar::ThisWeek => "week",
            Calendar::ThisMonth => "month",
        }
    }

    /// [`Calendar::as_str`] back, ignoring case and surrounding spaces.
    pub fn parse(text: &str) -> Option<Calendar> {
        let t = text.trim();
        Calendar::ALL
            .into_iter()
            .find(|c| c.as_str().eq_ignore_ascii_case(t))
    }
}
