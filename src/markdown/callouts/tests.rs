//! Unit tests of the callout adapter and the `:::` scanner.

use super::*;
use pulldown_cmark::Parser;

fn run(body: &str) -> (Vec<Event<'static>>, Vec<Problem>) {
    let fences = Fences::scan(body, super::super::options());
    let mut c = Callouts::new(
        Parser::new_ext(&fences.text, super::super::options()).into_offset_iter(),
        &fences,
    );
    let events: Vec<Event<'static>> = c.by_ref().map(|(e, _)| e.into_static()).collect();
    (events, c.problems())
}

#[test]
fn offsets_of_the_new_text_map_back_to_the_body() {
    let body = "a\n:::note Title\nb\n:::\nc\n";
    let f = Fences::scan(body, super::super::options());
    let c_new = f.text.find("c\n").unwrap();
    assert_eq!(f.original(c_new), body.find("c\n").unwrap());
    let b_new = f.text.find("b\n").unwrap();
    assert_eq!(f.original(b_new), body.find("b\n").unwrap());
    assert_eq!(f.original(0), 0);
    // Inside a marker: the start of the line it replaced.
    assert_eq!(f.original(f.text.find("<!--").unwrap() + 3), 2);
}

#[test]
fn a_fenced_callout_inside_a_block_quote_stays_inside_it() {
    let (events, problems) =
        run("> Quoted.\n>\n> :::tip Inside\n> In the tip.\n> :::\n>\n> After.\n");
    assert!(problems.is_empty(), "{problems:?}");
    let quotes: Vec<_> = events
        .iter()
        .filter_map(|e| match e {
            Event::Start(Tag::BlockQuote(k)) => Some(Some(*k)),
            Event::End(TagEnd::BlockQuote(_)) => Some(None),
            _ => None,
        })
        .collect();
    assert_eq!(
        quotes,
        [Some(None), Some(Some(BlockQuoteKind::Tip)), None, None],
        "{events:?}"
    );
    // A quote's callout closed outside the quote is a located problem, never a panic.
    let body = "> :::note\n> a\n\n:::\n";
    let (_, problems) = run(body);
    assert!(
        problems
            .iter()
            .any(|p| p.message.contains("cannot close") && p.at == body.rfind(":::").unwrap()),
        "{problems:?}"
    );
}

#[test]
fn every_mix_of_callout_syntax_stays_balanced_and_never_panics() {
    let parts = [
        "> [!NOTE]\n> a\n",
        "> [!TIP] T **b\n> c** d\n",
        "> [!NOPE] x\n",
        "> [!WARN x\n",
        ":::note\n",
        ":::tip Title\n",
        ":::\n",
        "- item\n",
        "  :::caution\n",
        "  :::\n",
        "```\n",
        "    :::note\n",
        "text\n",
        "\n",
        "> quote\n",
        "<div>\n",
        ":::note[T\n",
        "[^a]\n\n[^a]: n\n",
        "> :::note\n",
        "> :::\n",
        "> > :::tip Deep\n",
        "> > :::\n",
    ];
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    for _ in 0..3000 {
        let mut body = String::new();
        for _ in 0..8 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            body.push_str(parts[(seed % parts.len() as u64) as usize]);
        }
        let (events, problems) = run(&body);
        let opens = events
            .iter()
            .filter(|e| matches!(e, Event::Start(Tag::BlockQuote(_))))
            .count();
        let closes = events
            .iter()
            .filter(|e| matches!(e, Event::End(TagEnd::BlockQuote(_))))
            .count();
        if problems.is_empty() {
            assert_eq!(opens, closes, "unbalanced without a problem:\n{body}");
        }
        for p in &problems {
            assert!(p.at <= body.len(), "{body}");
        }
    }
}
