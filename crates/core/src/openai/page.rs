//! A usage or costs page as read: its time buckets of rows, and the cursor of the next page.

/// `[start_time, end_time)` and the rows the caller made of its results.
#[derive(Debug)]
pub struct TimeBucket<R> {
    pub start_time: i64,
    pub end_time: i64,
    pub rows: Vec<R>,
}

/// One parsed page: its buckets and the cursor of the next page, if any.
#[derive(Debug)]
pub struct ParsedPage<R> {
    pub buckets: Vec<TimeBucket<R>>,
    pub next_page: Option<String>,
}
