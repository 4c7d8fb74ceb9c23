//! The engine run once (`usage-tracker once`): the same trackers as the running engine, each
//! once, on the caller's task, in the order the figures depend on each other: the live figures;
//! then the bill, whose settled days price what the table cannot (a new model, a tier), so the
//! live figures are priced again with what it taught; then, when asked, one glance round (pace)
//! with that bill. The caller decides the deadlines and what to say between the steps.

use super::bill::bill_once_with;
use super::connection::Connection;
use super::glance::GlanceTracker;
use super::tracker::Tracker;
use crate::bill::{Bill, BillSnapshot};
use crate::figures::glance::Glance;
use crate::openai::ApiError;
use crate::snapshot::Snapshot;

/// One run over `conn`.
pub struct Once<'a> {
    conn: &'a Connection,
    tracker: Tracker,
}

impl<'a> Once<'a> {
    pub fn new(conn: &'a Connection) -> Self {
        Once {
            conn,
            tracker: conn.tracker(),
        }
    }

    /// The live figures at `now_ms` (every page of the window; the history store's first).
    pub async fn live(&mut self, now_ms: i64) -> Result<Snapshot, ApiError> {
        self.tracker.refresh(now_ms).await
    }

    /// The bill at `now_ms` within the client's one deadline, and `snap` priced again with what
    /// it taught.
    pub async fn bill(&self, snap: &mut Snapshot, now_ms: i64) -> BillSnapshot {
        let conn = self.conn;
        let config = conn.tracker_config();
        let bill = bill_once_with(&conn.client, &config, conn.history.clone(), now_ms).await;
        self.tracker.reprice(snap);
        bill
    }

    /// The glance for the JSON `pace`: one round (what the history lacks; everything without
    /// one) within the client's deadline, then the glance from what is stored, the month
    /// counted against `bill`. `None` (logged) when the round failed or timed out.
    pub async fn glance(&self, bill: Option<&Bill>, now: i64) -> Option<Glance> {
        let conn = self.conn;
        let config = conn.tracker_config();
        let mut g = GlanceTracker::new(conn.client.clone(), &config, conn.history.clone(), now)
            .map_err(|e| tracing::warn!("no pace: {e}"))
            .ok()?;
        match tokio::time::timeout(conn.client.deadline_after(), g.refresh(now)).await {
            Ok(Ok(_)) => {}
            Ok(Err(e)) => {
                tracing::warn!("no pace: {e}");
                return None;
            }
            Err(_) => {
                tracing::warn!("no pace: the usage of the last 30 days did not come in time");
                return None;
            }
        }
        g.glance(now, bill).await
    }
}
