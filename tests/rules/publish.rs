//! The cases of the rules about publishing.

use super::*;

pub fn cases() -> Vec<Case> {
    vec![
        // An empty ledger would let every published guid change unchecked.
        case(Rule::InvalidLedger, ("feedgen.lock", 1, 1), || {
            let t = TempProject::minimal();
            ok_episode(&t);
            t.write("feedgen.lock", "");
            t
        }),
        case(Rule::InvalidLedger, ("feedgen.lock", 6, 2), || {
            let t = TempProject::minimal();
            ok_episode(&t);
            t.write(
                "feedgen.lock",
                "# feedgen.lock\n\n[episodes.00001]\nguid = \"g\"\nfirst_published = \"2021-01-22T21:00:00+09:00\"\n[mirror]\n",
            );
            t
        }),
    ]
}
