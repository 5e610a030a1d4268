//! A plain-text table of counts per row, as `feedgen import` ends its
//! report with: what was kept, converted and left behind.

/// One row: a name and its kept, converted and left counts.
pub struct Row<'a> {
    pub name: &'a str,
    pub kept: usize,
    pub converted: usize,
    pub left: usize,
}

/// The rows under a heading, columns aligned; a zero shows as `-`.
pub fn table(rows: &[Row]) -> String {
    let width = rows
        .iter()
        .map(|r| r.name.chars().count())
        .max()
        .unwrap_or(0)
        .max(5);
    let cell = |n: usize| {
        if n == 0 {
            "-".to_string()
        } else {
            n.to_string()
        }
    };
    let mut out = format!(
        "{:<width$}  {:>6}  {:>9}  {:>6}\n",
        "field", "kept", "converted", "left"
    );
    for r in rows {
        out.push_str(&format!(
            "{:<width$}  {:>6}  {:>9}  {:>6}\n",
            r.name,
            cell(r.kept),
            cell(r.converted),
            cell(r.left)
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_line_up_and_zeros_are_dashes() {
        let t = table(&[
            Row {
                name: "guid",
                kept: 12,
                converted: 1,
                left: 0,
            },
            Row {
                name: "itunes:keywords",
                kept: 0,
                converted: 0,
                left: 13,
            },
        ]);
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(lines[0], "field              kept  converted    left");
        assert_eq!(lines[1], "guid                 12          1       -");
        assert_eq!(lines[2], "itunes:keywords       -          -      13");
    }
}
