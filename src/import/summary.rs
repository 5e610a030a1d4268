//! The import's closing table: for each field, how many values were kept as
//! published, converted to another form, or left behind.

use std::collections::BTreeMap;

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Counts {
    pub kept: usize,
    pub converted: usize,
    pub left: usize,
}

/// Counts per field (`guid`, `enclosure`, `itunes:keywords` …), sorted by name.
#[derive(Debug, Default, Clone)]
pub struct Summary {
    pub fields: BTreeMap<String, Counts>,
}

impl Summary {
    pub(crate) fn kept(&mut self, field: &str) {
        self.entry(field).kept += 1;
    }
    pub(crate) fn converted(&mut self, field: &str) {
        self.entry(field).converted += 1;
    }
    pub(crate) fn left(&mut self, field: &str) {
        self.entry(field).left += 1;
    }
    fn entry(&mut self, field: &str) -> &mut Counts {
        self.fields.entry(field.to_string()).or_default()
    }
}
