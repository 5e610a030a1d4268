//! A show's own page templates: `templates/base.html`, `show.html`,
//! `episode.html` and `style.css` in the project replace the built-in
//! theme's files of the same names. Each is read as a regular file, and
//! parsed (minijinja) so a syntax error is reported at its line and column.

use std::path::Path;

use super::{decode, display_path, regular_file};
use crate::diag::{Diagnostic, FileId, Rule, SourceDb, SourceFile};
use crate::model::Template;

/// The files of a theme, which a show may replace.
pub(crate) const THEME_FILES: [&str; 4] = ["base.html", "show.html", "episode.html", "style.css"];

/// A template is a page of markup: a cap far above any.
const MAX_BYTES: u64 = 1 << 20;

/// The show's templates that parse, added to `sources`, and the findings
/// about those that cannot be read or do not parse.
pub(crate) fn read(root: &Path, sources: &mut SourceDb) -> (Vec<Template>, Vec<Diagnostic>) {
    let (mut templates, mut diags) = (Vec::new(), Vec::new());
    for name in THEME_FILES {
        let path = root.join("templates").join(name);
        let shown = display_path(root, &path);
        let bytes = match regular_file::read_regular(&path, MAX_BYTES) {
            Ok(Some(b)) => b,
            Ok(None) => continue,
            Err(why) => {
                diags.push(Diagnostic::new(
                    Rule::TemplateError,
                    format!("{shown} cannot be read: {why}"),
                ));
                continue;
            }
        };
        let Ok(text) = decode::decode(&bytes) else {
            diags.push(Diagnostic::new(
                Rule::TemplateError,
                format!("{shown} is not UTF-8"),
            ));
            continue;
        };
        let file = sources.add(SourceFile::new(shown, path, text));
        let source = sources.get(file).text.clone();
        match minijinja::Environment::new().add_template(name, &source) {
            Ok(()) => templates.push(Template {
                name: name.to_string(),
                source,
                file,
            }),
            Err(e) => diags.push(finding(sources, file, &e)),
        }
    }
    (templates, diags)
}

/// The finding for template error `e` raised while rendering a page: at the
/// show's template it names, if it is one.
pub(crate) fn render_finding(
    sources: &SourceDb,
    templates: &[Template],
    e: &minijinja::Error,
) -> Diagnostic {
    match templates.iter().find(|t| Some(t.name.as_str()) == e.name()) {
        Some(t) => finding(sources, t.file, e),
        None => Diagnostic::new(Rule::TemplateError, format!("the page templates fail: {e}")),
    }
}

/// The finding for template error `e` in `file`: at the span minijinja gives,
/// else at its line.
pub(crate) fn finding(sources: &SourceDb, file: FileId, e: &minijinja::Error) -> Diagnostic {
    let what = e
        .detail()
        .map_or_else(|| e.kind().to_string(), str::to_string);
    let how = match e.kind() {
        minijinja::ErrorKind::SyntaxError => "does not parse",
        _ => "fails to render a page",
    };
    let d = Diagnostic::new(Rule::TemplateError, format!("the template {how}: {what}"))
        .help("see docs/pages.md for what a page template is given; delete the file to use the built-in one");
    let src = sources.get(file);
    let span = e.range().filter(|r| r.end <= src.text.len()).or_else(|| {
        e.line()
            .filter(|&l| l >= 1 && l <= src.line_starts().len())
            .map(|l| src.line_range(l))
    });
    match span {
        Some(span) => d.at(file, span),
        None => d.at(file, 0..0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_syntax_error_is_reported_at_its_place_and_the_template_left_out() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("templates")).unwrap();
        std::fs::write(
            dir.path().join("templates/show.html"),
            "<p>ok</p>\n{% if %}\n",
        )
        .unwrap();
        std::fs::write(dir.path().join("templates/style.css"), "p { }").unwrap();
        let mut sources = SourceDb::default();
        let (templates, diags) = read(dir.path(), &mut sources);
        assert_eq!(templates.len(), 1);
        assert_eq!(templates[0].name, "style.css");
        assert_eq!(diags.len(), 1);
        let span = diags[0].span.as_ref().unwrap();
        let (line, _) = sources.get(span.file).line_col(span.range.start);
        assert_eq!(line, 2, "{:?}", diags[0]);
    }
}
