//! The cases of the rules about the show's web pages: its own templates.

use super::*;

fn with_template(name: &str, text: &str) -> TempProject {
    let t = TempProject::minimal();
    ok_episode(&t);
    t.write(&format!("templates/{name}"), text);
    t
}

pub fn cases() -> Vec<Case> {
    vec![
        // A syntax error: where the tag that does not parse ends (line 2).
        case(
            Rule::TemplateError,
            ("templates/episode.html", 2, 7),
            || with_template("episode.html", "<p>ok</p>\n{% if %}\n"),
        ),
        // An error only rendering finds: at the filter.
        case(Rule::TemplateError, ("templates/show.html", 3, 17), || {
            with_template(
                    "show.html",
                    "{% extends \"base.html\" %}\n{% block main %}\n{{ site.title | no_such_filter }}\n{% endblock %}\n",
                )
        }),
    ]
}
