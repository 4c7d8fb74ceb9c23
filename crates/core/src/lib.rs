//! UsageTracker's pure core: everything that decides, nothing that waits. No runtime, no
//! network, no SQLite, no renderer: the dependency tree is serde, chrono, toml and small
//! helpers, and every rule here is tested with plain values.
//!
//! Data flows one way: settings → client → store → engine → snapshot → view model →
//! renderer. This crate holds the middle: what the API's pages mean ([`openai`]), usage and
//! its meters ([`usage`]), prices ([`pricing`]), the bill's rules ([`bill`]), alerts and
//! budgets ([`alerts`]), the figures computed from the store ([`figures`]), what to fetch
//! next ([`plan`]), the [`snapshot`] every front end reads, the view models ([`ui`]), the
//! resolved [`settings`] as a value, and the menu-bar app's decisions ([`app`]).
//!
//! # Glossary (one word per concept)
//! - **usage**: what the Admin API's usage endpoints report, bucket by bucket; a **meter** is
//!   one endpoint's kind of count (tokens, images, characters, seconds, calls).
//! - **estimate**: usage priced with the table (and the prices learned from the bill).
//! - **bill**: what the Costs API reports, in UTC days of **line items** ([`bill`]); a billed
//!   day is **settled** once it can no longer change ([`bill::is_settled`], the one rule for
//!   the check of the estimate and for the store). **Month so far** is [`bill::MonthSpend`],
//!   the one rule for the monthly budget, the month's pace and the menu.
//! - **the store**: the SQLite file that keeps what the API returned (crate
//!   `usage-tracker-store`). People call it "history" (`--history-keep`, the README); the
//!   code says store.
//! - **figures**: what is computed from the store's buckets and days: pace, sparklines, the
//!   HTML report's data, export lines ([`figures`]).
//! - **plan**: what to ask the API for next, from what is known ([`plan`]), calendar windows
//!   included.
//! - **snapshot**: one refresh's result, the one value every front end reads.
//! - **headline**: [`ui::headline::Headline`], what every front end leads with, in the same
//!   words: the window's **estimate** (completions named as a part of it), **today (UTC)**,
//!   the **month so far** and the **pace**. No figure that is a part is called a total.
//! - **view**: a pure function from a snapshot and status to plain data: the menu as rows
//!   ([`ui::view`]), tables, the JSON of `once` and `watch` ([`ui::json`]), the HTML report's
//!   page ([`ui::html`]); a **renderer** draws it (tray, terminal, browser). Only the HTML page
//!   is called a report.
//! - **engine**: the binary's one owner of every background task; it produces snapshots.
//! - **app core**: [`app::AppCore`], every rule of the menu-bar app as
//!   `on(input, now) -> effects`; the **shell** (the binary's tao loop and worker) performs the
//!   effects, the platform's through the **ports** ([`app::ports`]: small traits, with fakes).

pub mod alerts;
pub mod app;
pub mod bill;
pub mod figures;
pub mod openai;
pub mod plan;
pub mod pricing;
pub mod redact;
pub mod settings;
pub mod snapshot;
pub mod ui;
pub mod usage;
