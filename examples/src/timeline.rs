//! The run's timeline: one line per event, human-readable or JSON lines.

use std::io::Write;
use std::time::Instant;

use serde_json::{Map, Value};

/// One event of the run.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    /// Seconds since the start of the run.
    pub t: f64,
    /// The port (1-based), or `None` for the gateway or the run as a whole.
    pub port: Option<u16>,
    /// Event name (`registered`, `off_hook`, `heard`, ...).
    pub event: String,
    /// Further fields of the event.
    pub fields: Map<String, Value>,
}

/// How the timeline is printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Aligned text lines.
    Human,
    /// One JSON object per line with at least `t`, `port`, `event`.
    Json,
    /// Not printed (tests read the entries).
    Silent,
}

/// Collects the events of a run and prints each as it happens.
pub struct Timeline {
    start: Instant,
    format: Format,
    entries: Vec<Entry>,
}

impl Timeline {
    /// A timeline whose clock starts at `start`.
    pub fn new(start: Instant, format: Format) -> Timeline {
        Timeline {
            start,
            format,
            entries: Vec::new(),
        }
    }

    /// Every entry so far.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The print format.
    pub fn format(&self) -> Format {
        self.format
    }

    /// Record (and print) an event.
    pub fn record(&mut self, now: Instant, port: Option<u16>, event: &str, fields: Map<String, Value>) {
        let entry = Entry {
            t: now.saturating_duration_since(self.start).as_secs_f64(),
            port,
            event: event.to_owned(),
            fields,
        };
        let mut out = std::io::stdout().lock();
        // A closed stdout (e.g. piped into `head`) must not stop the run.
        let _ = match self.format {
            Format::Json => writeln!(out, "{}", to_json(&entry)),
            Format::Human => writeln!(out, "{}", to_human(&entry)),
            Format::Silent => Ok(()),
        };
        self.entries.push(entry);
    }
}

/// The entry as one JSON object.
pub fn to_json(entry: &Entry) -> String {
    let mut obj = Map::new();
    obj.insert("t".into(), Value::from((entry.t * 1000.0).round() / 1000.0));
    obj.insert("port".into(), entry.port.map(Value::from).unwrap_or(Value::Null));
    obj.insert("event".into(), Value::from(entry.event.clone()));
    for (k, v) in &entry.fields {
        obj.insert(k.clone(), v.clone());
    }
    Value::Object(obj).to_string()
}

/// The entry as an aligned text line.
pub fn to_human(entry: &Entry) -> String {
    let port = entry
        .port
        .map(|p| format!("port {p}"))
        .unwrap_or_else(|| "      ".to_owned());
    let mut line = format!("[{:8.3}s] {port}  {}", entry.t, entry.event);
    for (k, v) in &entry.fields {
        match v {
            Value::String(s) => line.push_str(&format!(" {k}={s}")),
            other => line.push_str(&format!(" {k}={other}")),
        }
    }
    line
}

/// Build a field map from pairs.
pub fn fields<const N: usize>(pairs: [(&str, Value); N]) -> Map<String, Value> {
    pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
}
