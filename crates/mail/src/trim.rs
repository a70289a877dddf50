//! Trimming a reply to what the person wrote: the quoted history (`> …`, "On … wrote:",
//! "El … escribió:", Outlook's header block and separators, "-----Original Message-----")
//! and the signature (`-- ` and "Sent from my …") are cut. When trimming would leave
//! nothing, the whole text is kept: losing words is worse than repeating them.

/// Lines that start the quoted history on their own.
const SEPARATORS: &[&str] = &[
    "-----original message-----",
    "-----mensaje original-----",
    "-----ursprüngliche nachricht-----",
    "-----message d'origine-----",
    "-----messaggio originale-----",
    "-----forwarded message-----",
    "---------- forwarded message ---------",
    "---------- mensaje reenviado ---------",
    "________________________________",
];

/// Words that open an Outlook-style header block (`From:`/`De:` followed by `Sent:`…).
const HEADER_FROM: &[&str] = &["from:", "de:", "von:", "da:", "van:", "från:", "fra:"];
const HEADER_SENT: &[&str] = &[
    "sent:",
    "enviado:",
    "enviado el:",
    "gesendet:",
    "envoyé :",
    "envoyé:",
    "inviato:",
    "date:",
    "fecha:",
    "to:",
    "para:",
];

/// Endings of the "On <date>, <name> wrote:" attribution line, by language.
const WROTE: &[&str] = &[
    "wrote:",
    "escribió:",
    "escribio:",
    "schrieb:",
    "a écrit :",
    "a écrit:",
    "ha scritto:",
    "escreveu:",
    "skrev:",
    "kirjoitti:",
];

/// Lines a reply is trimmed at when they end the reply (the desk's own marker).
const MARKERS: &[&str] = &[
    "above this line",
    "encima de esta línea",
    "encima de esta linea",
];

/// Signature lines that end the message on phones.
const SENT_FROM: &[&str] = &[
    "sent from my ",
    "enviado desde mi ",
    "enviado desde ",
    "von meinem ",
    "envoyé de mon ",
    "get outlook for ",
    "obtener outlook para ",
];

/// An attribution line: ends with a colon and names the verb (`… schrieb Name <a@b>:`).
fn wrote(lower: &str) -> bool {
    let Some(body) = lower.strip_suffix(':') else {
        return false;
    };
    WROTE
        .iter()
        .any(|w| body.contains(w.trim_end_matches(':').trim_end()))
}

fn starts_history(lines: &[&str], i: usize) -> bool {
    let line = lines[i].trim();
    let lower = line.to_lowercase();
    if SEPARATORS.iter().any(|s| lower.starts_with(s)) {
        return true;
    }
    if MARKERS.iter().any(|m| lower.contains(m)) {
        return true;
    }
    if HEADER_FROM.iter().any(|f| lower.starts_with(f)) {
        // Outlook: a header block of at least two lines.
        let next = lines
            .get(i + 1)
            .map(|l| l.trim().to_lowercase())
            .unwrap_or_default();
        if HEADER_SENT.iter().any(|s| next.starts_with(s)) {
            return true;
        }
    }
    let starts = ["on ", "el ", "am ", "le ", "il ", "em ", "den ", "op "];
    if starts.iter().any(|s| lower.starts_with(s)) {
        if wrote(&lower) {
            return true;
        }
        // Gmail wraps long attributions over two lines.
        if let Some(next) = lines.get(i + 1) {
            let joined = format!("{lower} {}", next.trim().to_lowercase());
            if wrote(&joined) {
                return true;
            }
        }
    }
    false
}

/// The part of `text` the sender wrote above the quoted history, without the signature.
pub fn trim_reply(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let mut end = lines.len();
    for i in 0..lines.len() {
        if starts_history(&lines, i) {
            end = i;
            break;
        }
        // A block of quoted lines that runs to the end of the message (or to a signature).
        if lines[i].trim_start().starts_with('>')
            && lines[i..]
                .iter()
                .all(|l| l.trim().is_empty() || l.trim_start().starts_with('>'))
        {
            end = i;
            break;
        }
    }
    let mut kept: Vec<&str> = lines[..end].to_vec();
    // Signature: from the last "-- " delimiter (RFC 3676 §4.3), or a phone's "Sent from".
    if let Some(sig) = kept.iter().rposition(|l| *l == "-- " || *l == "--") {
        kept.truncate(sig);
    }
    while let Some(last) = kept.last() {
        let l = last.trim().to_lowercase();
        if l.is_empty() || SENT_FROM.iter().any(|s| l.starts_with(s)) {
            kept.pop();
        } else {
            break;
        }
    }
    let out = kept.join("\n").trim().to_owned();
    if out.is_empty() {
        text.trim().to_owned()
    } else {
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gmail_attribution_and_quote_are_cut() {
        let t = "Ya funciona, gracias.\n\nEl lun, 30 nov 2026 a las 10:00, Soporte <s@x.es>\nescribió:\n> Hola\n> ¿Puede probar?\n";
        assert_eq!(trim_reply(t), "Ya funciona, gracias.");
    }

    #[test]
    fn outlook_header_block_is_cut() {
        let t = "Sigue sin imprimir.\r\n\r\n________________________________\r\nDe: Soporte\r\nEnviado: lunes\r\n";
        assert_eq!(trim_reply(t), "Sigue sin imprimir.");
        let t = "Still broken.\nFrom: Desk <d@x>\nSent: Monday\nTo: me\n\nold text";
        assert_eq!(trim_reply(t), "Still broken.");
    }

    #[test]
    fn signatures_are_cut_and_nothing_is_lost() {
        assert_eq!(trim_reply("Hecho.\n-- \nAna\nTel 1"), "Hecho.");
        assert_eq!(trim_reply("Ok\n\nEnviado desde mi iPhone"), "Ok");
        assert_eq!(trim_reply("> only a quote"), "> only a quote");
        // An inline answer between quotes keeps everything up to the last quote block.
        assert_eq!(trim_reply("> q1\nanswer\n> q2"), "> q1\nanswer");
    }
}
