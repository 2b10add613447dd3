//! The input files as `inspect` looks at them: each record as the run reads
//! it alone, through the run's own header, column and record functions,
//! one block at a time (bounded memory), with no data set and no checks
//! across rows.

use std::ops::ControlFlow;

use super::blocks::{next_reported, open_input, Opened};
use super::changes::{shape_error, starts_like_json, ChangeColumns, ChangeFields};
use super::json::{self, Extracted, JsonRecords};
use super::records::{decode, Fields, Records};
use super::tickets::TicketColumns;
use super::{IngestError, ReadOptions, Reason, Sizes};
use crate::profile::{Field, JsonShape};

/// An input file, told apart by content as the run tells a history file.
pub(crate) enum Input {
    Csv(CsvInput),
    Json(JsonInput),
}

impl Input {
    /// Opens `path`: a JSON file when its first character opens an object
    /// or array (then the profile must read a JSON history), else a CSV
    /// file with its header read.
    pub(crate) fn open(path: &str, opts: &ReadOptions<'_>) -> Result<Input, IngestError> {
        if starts_like_json(path)? {
            let Some((shape, _)) = &opts.profile.changes.json else {
                return Err(shape_error(path, "JSON", opts));
            };
            let keys = match shape {
                JsonShape::ZendeskAudits => json::ZENDESK_KEYS,
                JsonShape::FreshdeskActivities => json::FRESHDESK_KEYS,
            };
            return Ok(Input::Json(JsonInput {
                records: JsonRecords::open(path, keys, opts.max_record)?,
                shape: *shape,
            }));
        }
        let opened = open_input(path, opts, Sizes::default())?;
        Ok(Input::Csv(CsvInput {
            path: path.to_string(),
            opened,
        }))
    }
}

/// A CSV file, its header read.
pub(crate) struct CsvInput {
    path: String,
    opened: Opened,
}

impl CsvInput {
    pub(crate) fn delimiter(&self) -> u8 {
        self.opened.header.delimiter
    }

    /// The header's names as written (trimmed).
    pub(crate) fn names(&self) -> &[String] {
        &self.opened.header.columns.names
    }

    /// The column that feeds `field`, as the run finds it.
    pub(crate) fn find(&self, field: &Field, decorations: bool) -> Option<usize> {
        self.opened.header.columns.find(&field.columns, decorations)
    }

    /// The columns of a ticket file, or the run's fatal error.
    pub(crate) fn ticket_columns(
        &self,
        opts: &ReadOptions<'_>,
    ) -> Result<TicketColumns, IngestError> {
        TicketColumns::new(&self.opened.header.columns, opts, &self.path)
            .map_err(|e| e.split_at(self.opened.header.delimiter))
    }

    /// The columns of a history file, or the run's fatal error.
    pub(crate) fn change_columns(
        &self,
        opts: &ReadOptions<'_>,
    ) -> Result<ChangeColumns, IngestError> {
        let Some(spec) = &opts.profile.changes.csv else {
            return Err(shape_error(&self.path, "CSV", opts));
        };
        ChangeColumns::new(
            &self.opened.header.columns,
            spec,
            opts.profile.header_decorations,
            &self.path,
        )
        .map_err(|e| e.split_at(self.opened.header.delimiter))
    }

    /// Calls `row` with each record after the header, in file order: the
    /// line where it starts and its trimmed fields, or `malformed_row`.
    pub(crate) fn for_each(
        self,
        opts: &ReadOptions<'_>,
        mut row: impl FnMut(u64, Result<&Fields<'_>, Reason>),
    ) -> Result<(), IngestError> {
        let Opened {
            mut reader,
            first,
            header,
            records_from,
            line_after_header,
        } = self.opened;
        let mut block = Some((first, records_from, line_after_header));
        let mut ranges = Vec::with_capacity(header.columns.width);
        while let Some((b, from, line)) = block.take() {
            let mut records =
                Records::new(&b.data[from..], header.delimiter, line, opts.max_record);
            while let Some((rec, bytes)) = records
                .next_record(&mut ranges)
                .map_err(|e| e.in_file(&self.path))?
            {
                match decode(bytes, &mut ranges, header.columns.width) {
                    Err(reason) => row(rec.line, Err(reason)),
                    Ok(all) => row(
                        rec.line,
                        Ok(&Fields {
                            all,
                            ranges: &ranges,
                        }),
                    ),
                }
            }
            block = next_reported(&mut reader, opts)?.map(|n| {
                let line = n.line;
                (n, 0, line)
            });
        }
        Ok(())
    }
}

/// A JSON history file.
pub(crate) struct JsonInput {
    records: JsonRecords,
    shape: JsonShape,
}

/// What a JSON record gives, as the run reads it.
pub(crate) enum JsonRow<'r> {
    Row(ChangeFields<'r>),
    /// Well-formed, without a priority (EXPORTS.md rule 3).
    Ignored,
    /// `malformed_row`.
    Malformed,
}

impl JsonInput {
    /// How the records are laid out (`page`, `array`, `NDJSON`), known once
    /// a record was read.
    pub(crate) fn layout(&self) -> Option<&'static str> {
        self.records.shape().map(|s| match s {
            json::Shape::Page => "page",
            json::Shape::Array => "array",
            json::Shape::Ndjson => "NDJSON",
        })
    }

    /// Calls `row` with each record in file order (the line where it
    /// starts, its raw text, what it gives) until it breaks.
    pub(crate) fn for_each(
        &mut self,
        mut row: impl FnMut(u64, &[u8], JsonRow<'_>) -> ControlFlow<()>,
    ) -> Result<(), IngestError> {
        let extract = match self.shape {
            JsonShape::ZendeskAudits => json::zendesk_audit,
            JsonShape::FreshdeskActivities => json::freshdesk_activity,
        };
        while let Some(batch) = self.records.next_batch(Sizes::default().chunk)? {
            for rec in &batch {
                let extracted = extract(&rec.text);
                let view = match &extracted {
                    Extracted::Row(h) => JsonRow::Row(ChangeFields::of_json(h)),
                    Extracted::Ignored => JsonRow::Ignored,
                    Extracted::Malformed => JsonRow::Malformed,
                };
                if row(rec.line, &rec.text, view).is_break() {
                    return Ok(());
                }
            }
        }
        Ok(())
    }
}

/// A record's compact JSON text, as `rejects.csv` shows it.
pub(crate) fn compact_json(text: &[u8]) -> String {
    json::compact(text)
}
