//! What to ask the Admin API for, decided from what is already known: which buckets of a
//! window may still change (usage), which of the bill's days are settled (bill), and how a
//! calendar window's length follows the clock (calendar). Pure: the engine runs the plans.

pub mod bill;
pub mod calendar;
pub mod periods;
pub mod usage;
