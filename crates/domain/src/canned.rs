//! Canned responses and macros (issue 17): text snippets with variables, in Spanish or
//! English, personal or shared; and macros, several changes in one action. Variables are
//! written `{{name}}` (blanks inside the braces allowed) and filled in when the text is
//! used on a ticket; an unknown variable is refused when the text is saved, so a snippet
//! never sends braces to a requester.

use crate::text::ValidationError;

/// The variables a text may hold, in the order the forms list them.
pub const VARIABLES: &[&str] = &[
    "requester_name",
    "ticket_number",
    "ticket_subject",
    "due_at",
    "agent_name",
    "group_name",
];

pub const TITLE_MAX: usize = 200;
pub const BODY_MAX: usize = 20_000;

/// Values of the variables for one ticket and one agent (`due_at` already formatted in
/// the reader's time zone; empty when there is no deadline).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Vars {
    pub requester_name: String,
    pub ticket_number: String,
    pub ticket_subject: String,
    pub due_at: String,
    pub agent_name: String,
    pub group_name: String,
}

impl Vars {
    fn get(&self, name: &str) -> Option<&str> {
        Some(match name {
            "requester_name" => &self.requester_name,
            "ticket_number" => &self.ticket_number,
            "ticket_subject" => &self.ticket_subject,
            "due_at" => &self.due_at,
            "agent_name" => &self.agent_name,
            "group_name" => &self.group_name,
            _ => return None,
        })
    }
}

/// Walks `text`, handing each literal piece and each variable name to `f`.
fn walk<'a>(text: &'a str, mut f: impl FnMut(Piece<'a>)) {
    let mut rest = text;
    while let Some(open) = rest.find("{{") {
        let Some(close) = rest[open + 2..].find("}}") else {
            break;
        };
        f(Piece::Literal(&rest[..open]));
        f(Piece::Var(rest[open + 2..open + 2 + close].trim()));
        rest = &rest[open + 2 + close + 2..];
    }
    f(Piece::Literal(rest));
}

enum Piece<'a> {
    Literal(&'a str),
    Var(&'a str),
}

/// Refuses (on `field`) a text with a variable this desk does not know.
pub fn check_variables(field: &str, text: &str) -> Result<(), ValidationError> {
    let mut unknown: Option<String> = None;
    walk(text, |p| {
        if let Piece::Var(name) = p
            && !VARIABLES.contains(&name)
            && unknown.is_none()
        {
            unknown = Some(name.to_owned());
        }
    });
    match unknown {
        None => Ok(()),
        Some(name) => Err(ValidationError::new(
            field,
            format!(
                "unknown variable {{{{{name}}}}}; known: {}",
                VARIABLES.join(", ")
            ),
        )),
    }
}

/// The text with every variable filled in (an unknown one is left as written).
pub fn render(text: &str, vars: &Vars) -> String {
    let mut out = String::with_capacity(text.len() + 64);
    walk(text, |p| match p {
        Piece::Literal(s) => out.push_str(s),
        Piece::Var(name) => match vars.get(name) {
            Some(v) => out.push_str(v),
            None => {
                out.push_str("{{");
                out.push_str(name);
                out.push_str("}}");
            }
        },
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars() -> Vars {
        Vars {
            requester_name: "Ana Pérez".into(),
            ticket_number: "INC-000042".into(),
            ticket_subject: "Sin red".into(),
            due_at: "2026-03-02 10:00".into(),
            agent_name: "Luis".into(),
            group_name: "Mesa".into(),
        }
    }

    #[test]
    fn variables_are_filled_with_or_without_blanks() {
        let t = "Hola {{requester_name}}, su ticket {{ ticket_number }} ({{ticket_subject}}) vence {{due_at}}. {{agent_name}}, {{group_name}}";
        assert_eq!(
            render(t, &vars()),
            "Hola Ana Pérez, su ticket INC-000042 (Sin red) vence 2026-03-02 10:00. Luis, Mesa"
        );
    }

    #[test]
    fn unknown_variables_are_refused_on_save_and_kept_on_render() {
        let e = check_variables("body", "Hi {{password}}").unwrap_err();
        assert_eq!(e.field, "body");
        assert!(e.message.contains("password"));
        assert!(check_variables("body", "Hi {{ requester_name }}, {{ no close").is_ok());
        assert_eq!(render("a {{x}} b {{", &vars()), "a {{x}} b {{");
    }

    #[test]
    fn values_are_not_read_as_variables_again() {
        let v = Vars {
            requester_name: "{{agent_name}}".into(),
            ..vars()
        };
        assert_eq!(render("{{requester_name}}", &v), "{{agent_name}}");
    }
}
