//! Checks that need every episode: numbers, guids and enclosure URLs unique,
//! serial shows numbered. Hash maps keep them linear in the number of episodes.

use std::collections::HashMap;

use super::Resolved;
use crate::diag::{Diagnostic, Rule};
use crate::model::{Show, ShowType};

/// serial shows numbered.
pub(super) fn cross_check(show: &Show, eps: &[Resolved]) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    let n = eps.len();
    let mut numbers: HashMap<u32, &Resolved> = HashMap::with_capacity(n);
    let mut guids: HashMap<&str, &Resolved> = HashMap::with_capacity(n);
    let mut urls: HashMap<&str, &Resolved> = HashMap::with_capacity(n);
    for r in eps {
        if let Some(n) = r.item.number {
            if let Some(first) = numbers.get(&n) {
                diags.push(
                    Diagnostic::new(
                        Rule::DuplicateNumber,
                        format!("episode number {n} is also used by {}", first.item.slug),
                    )
                    .at_span(Some(r.anchor.clone())),
                );
            } else {
                numbers.insert(n, r);
            }
        } else if show.show_type == ShowType::Serial {
            diags.push(
                Diagnostic::new(
                    Rule::SerialUnnumbered,
                    "a serial show needs a number on every episode",
                )
                .at_span(Some(r.anchor.clone())),
            );
        }
        if let Some(first) = guids.get(r.item.guid.as_str()) {
            diags.push(
                Diagnostic::new(Rule::DuplicateGuid, format!("guid `{}` is also used by {}", r.item.guid, first.item.slug))
                    .at_span(Some(r.guid_span.clone()))
                    .help("every episode needs its own guid; podcast apps treat equal guids as one episode"),
            );
        } else {
            guids.insert(&r.item.guid, r);
        }
        if let Some(e) = &r.item.enclosure {
            if let Some(first) = urls.get(e.url.as_str()) {
                diags.push(
                    Diagnostic::new(
                        Rule::DuplicateEnclosure,
                        format!("enclosure {} is also used by {}", e.url, first.item.slug),
                    )
                    .at_span(Some(r.enclosure_span.clone())),
                );
            } else {
                urls.insert(&e.url, r);
            }
        }
    }
    diags
}
