//! The texts of the notifications: a spike starting, the admin key rejected, the daily budget
//! reached. Pure, like the rest of the view.

use crate::alerts::{Alert, BudgetAlert};
use crate::ui::format;

/// A notification's text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    pub summary: String,
    pub body: String,
}

/// "Token spike: 48,210 tokens/min" / "threshold 10,000 · gpt-4o grew most"
pub fn spike_notice(a: &Alert) -> Notice {
    let mut body = format!("threshold {}", format::rate(a.threshold));
    if let Some(m) = &a.top_model {
        body.push_str(&format!(" · {m} grew most"));
    }
    Notice {
        summary: format!(
            "{}: {} {}",
            a.kind.label(),
            format::rate(a.per_minute),
            a.kind.unit()
        ),
        body,
    }
}

/// One notification per spike: when alerts start while none was active. Kinds starting
/// together make one notification, led by the token spike; a kind that starts while another is
/// still active is part of the same spike.
pub fn spike_start_notice(was_active: bool, started: &[Alert]) -> Option<Notice> {
    if was_active {
        return None;
    }
    let (first, rest) = started.split_first()?;
    let mut notice = spike_notice(first);
    for a in rest {
        notice.body.push_str(&format!(
            " · also {} {}",
            format::rate(a.per_minute),
            a.kind.unit()
        ));
    }
    Some(notice)
}

pub fn key_rejected_notice() -> Notice {
    Notice {
        summary: "Admin key rejected".into(),
        body: "The API answered 401 (invalid key). Set a new one from the menu (Set Admin Key…) \
or with `usage-tracker admin-key set`."
            .into(),
    }
}

pub fn budget_notice(a: &BudgetAlert) -> Notice {
    Notice {
        summary: format!("Daily budget reached: {}", format::usd(a.spent)),
        body: format!(
            "Estimated cost since midnight {} (budget {})",
            format::usd(a.spent),
            format::usd(a.budget)
        ),
    }
}
