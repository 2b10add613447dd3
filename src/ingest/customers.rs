//! `--customers FILE`: a CSV `organization,plan` giving each customer's plan
//! (EXPORTS.md section 1). The file is small and must be right: any mistake
//! in it is fatal, naming its line, since every ticket of the organization
//! would get a wrong or no plan.

use std::collections::HashMap;

use sha2::{Digest, Sha256};

use super::read_ahead::hex;
use super::records::count_line_ends;
use super::{Encoding, IngestError};
use crate::policy::Policy;

/// Organizations (trimmed, compared exactly) and their plans.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Customers {
    /// The path as given on the command line.
    pub path: String,
    pub sha256: String,
    /// Looked up once per ticket: foldhash, not SipHash (the keys are the
    /// user's own list, no adversary's).
    plans: HashMap<String, u16, foldhash::fast::FixedState>,
}

impl Customers {
    /// Reads and checks the file against the policy's plans.
    pub fn load(path: &str, policy: &Policy, encoding: Encoding) -> Result<Customers, IngestError> {
        let bytes = std::fs::read(path).map_err(|error| IngestError::Read {
            path: path.to_string(),
            error,
        })?;
        let mut customers = Customers::parse(path, &encoding.decode(&bytes), policy)?;
        customers.sha256 = hex(&Sha256::digest(&bytes));
        Ok(customers)
    }

    fn parse(path: &str, bytes: &[u8], policy: &Policy) -> Result<Customers, IngestError> {
        let at = |line: u64, message: String| IngestError::Customers {
            path: path.to_string(),
            line,
            message,
        };
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        let first = bytes.split(|&c| c == b'\n').next().unwrap_or_default();
        let delimiter = if first.contains(&b';') && !first.contains(&b',') {
            b';'
        } else {
            b','
        };
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .has_headers(false)
            .flexible(true)
            .from_reader(bytes);
        let mut records = reader.byte_records();
        // the csv crate's own line numbers skip blank lines
        let line_at = |byte: u64| {
            let mut byte = (byte as usize).min(bytes.len());
            // a position may point at the blank lines before the record
            while matches!(bytes.get(byte), Some(b'\n' | b'\r')) {
                byte += 1;
            }
            1 + count_line_ends(&bytes[..byte], bytes.get(byte).copied())
        };
        let line_of = |r: &csv::ByteRecord| r.position().map_or(0, |p| line_at(p.byte()));
        let text = |r: &csv::ByteRecord, i: usize| -> Result<String, IngestError> {
            std::str::from_utf8(r.get(i).unwrap_or_default())
                .map(|s| s.trim().to_string())
                .map_err(|_| at(line_of(r), "not valid UTF-8".to_string()))
        };
        let header = match records.next() {
            None => {
                return Err(at(
                    1,
                    "empty file: expected the header organization,plan".into(),
                ))
            }
            Some(r) => r.map_err(|e| at(1, e.to_string()))?,
        };
        let names: Vec<String> = (0..header.len())
            .map(|i| text(&header, i).map(|s| s.to_lowercase()))
            .collect::<Result<_, _>>()?;
        // a repeated column would leave a guess at which one is meant
        let column = |name: &str| {
            let mut found = (1..)
                .zip(&names)
                .filter(|(_, n)| *n == name)
                .map(|(i, _)| i);
            match (found.next(), found.next()) {
                (Some(i), None) => Ok(i - 1),
                (None, _) => Err(at(
                    line_of(&header),
                    format!("missing column '{name}' (the header must be organization,plan)"),
                )),
                (Some(i), Some(j)) => Err(at(
                    line_of(&header),
                    format!("column '{name}' appears twice (columns {i} and {j})"),
                )),
            }
        };
        let (org, plan) = (column("organization")?, column("plan")?);
        let mut plans = HashMap::default();
        let mut first_line: HashMap<String, u64> = HashMap::new();
        for record in records {
            let record = record.map_err(|e| {
                let line = e.position().map_or(0, |p| line_at(p.byte()));
                at(line, e.to_string())
            })?;
            let line = line_of(&record);
            if record.iter().all(|f| f.iter().all(u8::is_ascii_whitespace)) {
                continue;
            }
            if record.len() != names.len() {
                return Err(at(
                    line,
                    format!("{} fields, the header has {}", record.len(), names.len()),
                ));
            }
            let organization = text(&record, org)?;
            let plan_text = text(&record, plan)?;
            if organization.is_empty() {
                return Err(at(line, "empty organization".to_string()));
            }
            let Some(index) = policy.find_plan(&plan_text) else {
                return Err(at(
                    line,
                    format!("plan {plan_text:?} of {organization:?} is not a plan of the policy"),
                ));
            };
            if let Some(earlier) = first_line.get(&organization) {
                return Err(at(
                    line,
                    format!(
                        "organization {organization:?} is listed twice (also on line {earlier})"
                    ),
                ));
            }
            first_line.insert(organization.clone(), line);
            plans.insert(organization, index as u16);
        }
        Ok(Customers {
            path: path.to_string(),
            sha256: String::new(),
            plans,
        })
    }

    /// The plan of an organization (trimmed, exact).
    pub fn plan(&self, organization: &str) -> Option<u16> {
        self.plans.get(organization.trim()).copied()
    }

    /// How many organizations the file lists.
    pub fn len(&self) -> usize {
        self.plans.len()
    }

    pub fn is_empty(&self) -> bool {
        self.plans.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Customers, String> {
        Customers::parse("c.csv", text.as_bytes(), &Policy::embedded()).map_err(|e| e.to_string())
    }

    #[test]
    fn organizations_map_to_plans_by_key_name_or_alias() {
        let c = parse("\u{feff}Organization , PLAN\r\nÅre Bygg AB, professional\n\n\"Kovac, s.r.o.\",Advanced\n")
            .unwrap();
        assert_eq!(c.len(), 2);
        assert_eq!(c.plan(" Åre Bygg AB "), Some(1));
        assert_eq!(c.plan("Kovac, s.r.o."), Some(2));
        assert_eq!(c.plan("åre bygg ab"), None, "compared exactly");
        let c = parse("organization;plan\nA;Basic\n").unwrap();
        assert_eq!(c.plan("A"), Some(0));
    }

    #[test]
    fn a_mistake_in_the_customers_file_is_fatal_with_its_line() {
        let cases = [
            ("", "c.csv:1: customers file: empty file"),
            (
                "org,plan\n",
                "c.csv:1: customers file: missing column 'organization'",
            ),
            (
                "organization,plan\nA,Basic\nB,Gold\n",
                "c.csv:3: customers file: plan \"Gold\" of \"B\" is not a plan",
            ),
            (
                "organization,plan\nA,Basic\n\nA,Advanced\n",
                "c.csv:4: customers file: organization \"A\" is listed twice (also on line 2)",
            ),
            (
                "organization,plan\n ,Basic\n",
                "c.csv:2: customers file: empty organization",
            ),
            (
                "organization,plan\nA,Basic,x\n",
                "c.csv:2: customers file: 3 fields, the header has 2",
            ),
            (
                "organization,Plan, plan \nA,Basic,Basic\n",
                "c.csv:1: customers file: column 'plan' appears twice (columns 2 and 3)",
            ),
        ];
        for (text, expect) in cases {
            let err = parse(text).unwrap_err();
            assert!(err.starts_with(expect), "{text:?}: {err}");
        }
    }
}
