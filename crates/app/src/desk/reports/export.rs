//! The CSV export of tickets (issue 14): tickets registered in a period and slice, streamed
//! page by page (1,000 rows a page on a keyset cursor), so an export of any size holds one
//! page in memory. UTF-8 with a byte-order mark, `,` or `;`, text cells defused against
//! formula injection (`csv.rs`). The header names are stable (English field names).

use futures_util::StreamExt as _;
use futures_util::stream::{self, Stream};
use jiff::Timestamp;
use jiff::tz::TimeZone;
use ventanilla_domain::report::{BOM, CsvOptions, csv_cell};
use ventanilla_domain::{Caller, Language, Permission};
use ventanilla_store::Store;
use ventanilla_store::exports::{ExportCursor, ExportRow};

use super::period::{Period, PeriodQuery};
use crate::App;
use crate::desk::{DeskError, DeskResult, require};

/// Rows read per page.
pub const PAGE_ROWS: i64 = 1000;

/// The columns, in order.
pub const HEADER: [&str; 18] = [
    "number",
    "kind",
    "subject",
    "status",
    "priority",
    "channel",
    "requester",
    "organisation",
    "group",
    "category",
    "assignee",
    "created_at",
    "first_response_at",
    "resolved_at",
    "closed_at",
    "reopen_count",
    "rating",
    "id",
];

fn when(us: Option<i64>, tz: &TimeZone) -> String {
    us.and_then(|u| Timestamp::from_microsecond(u).ok())
        .map(|t| {
            t.to_zoned(tz.clone())
                .strftime("%Y-%m-%d %H:%M:%S")
                .to_string()
        })
        .unwrap_or_default()
}

fn line(r: &ExportRow, tz: &TimeZone, lang: Language, o: CsvOptions) -> String {
    let text = |s: &str| csv_cell(s, o);
    let opt = |s: &Option<String>| csv_cell(s.as_deref().unwrap_or(""), o);
    let category = if lang == Language::En {
        &r.category_en
    } else {
        &r.category_es
    };
    let cells = [
        text(&r.number),
        text(&r.kind),
        text(&r.subject),
        text(&r.status),
        text(&r.priority),
        text(&r.channel),
        opt(&r.requester),
        opt(&r.organisation),
        opt(&r.group_name),
        opt(category),
        opt(&r.assignee),
        when(Some(r.created_at), tz),
        when(r.first_response_at, tz),
        when(r.resolved_at, tz),
        when(r.closed_at, tz),
        r.reopen_count.to_string(),
        r.rating.map(|v| v.to_string()).unwrap_or_default(),
        r.id.to_string(),
    ];
    let mut s = cells.join(&o.separator.to_string());
    s.push_str("\r\n");
    s
}

struct Cursor {
    store: Store,
    tz: TimeZone,
    period: Period,
    from: Timestamp,
    to: Timestamp,
    lang: Language,
    opts: CsvOptions,
    after: Option<ExportCursor>,
    done: bool,
}

impl Cursor {
    /// The CSV lines of one page, and where the next page starts (`done` after a short one).
    fn chunk(&mut self, rows: &[ExportRow]) -> String {
        if (rows.len() as i64) < PAGE_ROWS {
            self.done = true;
        }
        self.after = rows.last().map(|r| (r.created_at, r.id));
        let mut chunk = String::with_capacity(rows.len() * 160);
        for r in rows {
            chunk.push_str(&line(r, &self.tz, self.lang, self.opts));
        }
        chunk
    }

    async fn page(&self) -> Result<Vec<ExportRow>, ventanilla_store::StoreError> {
        self.store
            .exports()
            .tickets(
                self.from,
                self.to,
                &self.period.filter,
                self.after,
                PAGE_ROWS,
            )
            .await
    }
}

/// Checks access and the query, reads the first page, and returns the export as a stream of
/// chunks: the BOM, header and first page, then one chunk per page. The first page is read
/// before anything is sent, so a store that cannot answer gets a real error status; a later
/// page that fails can only cut the body short, and is logged.
pub async fn tickets_csv(
    app: &App,
    caller: &Caller,
    q: &PeriodQuery,
    opts: CsvOptions,
    lang: Language,
) -> DeskResult<(
    Period,
    impl Stream<Item = Result<String, DeskError>> + Send + 'static,
)> {
    require(caller, Permission::ReportsRead)?;
    let period = q.check(app)?;
    let (from, to) = period.instants(app);
    let mut cursor = Cursor {
        store: app.store.clone(),
        tz: app.store.report_zone().clone(),
        period,
        from,
        to,
        lang,
        opts,
        after: None,
        done: false,
    };
    let first = cursor.page().await?;
    let head = format!(
        "{BOM}{}{}",
        ventanilla_domain::report::csv_line(&HEADER, opts),
        cursor.chunk(&first)
    );
    let period = cursor.period;
    let rest = stream::unfold(cursor, |mut c| async move {
        if c.done {
            return None;
        }
        match c.page().await {
            Err(e) => {
                tracing::error!(error = %e, "the ticket export stopped after {:?}", c.after);
                c.done = true;
                Some((Err(DeskError::from(e)), c))
            }
            Ok(rows) if rows.is_empty() => None,
            Ok(rows) => {
                let chunk = c.chunk(&rows);
                Some((Ok(chunk), c))
            }
        }
    });
    // Fused: a body may be polled again after its end (the compression layer does), and an
    // `unfold` polled after its end panics, which cut the response off mid-stream.
    Ok((period, stream::once(async { Ok(head) }).chain(rest).fuse()))
}
