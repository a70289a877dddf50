//! Mail templates per event and language, text and HTML (issue #11): the built-in ones are
//! embedded from `crates/app/mail/` (see its README); a file of the same name in
//! `mail.templates_dir` replaces one. A kind without its own template uses `default`.

use std::path::PathBuf;

use minijinja::Environment;
use rust_embed::RustEmbed;
use serde::Serialize;

#[derive(RustEmbed)]
#[folder = "mail/"]
#[exclude = "README.md"]
struct Builtin;

/// Values a template may use (the README lists them).
#[derive(Debug, Clone, Serialize, Default)]
pub struct MailContext {
    pub title: String,
    pub number: String,
    pub subject: String,
    pub body: Option<String>,
    pub url: String,
    pub yes_url: String,
    pub no_url: String,
    pub survey_url: String,
    pub name: String,
    pub desk: String,
    pub params: std::collections::BTreeMap<String, String>,
    /// A scheduled report's table (`label`, `value`), empty in other mails.
    pub rows: Vec<super::report::MailRow>,
}

/// A rendered mail body in both forms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub text: String,
    pub html: String,
}

/// The template set: the override folder (if any) before the embedded files.
pub struct Templates {
    env: Environment<'static>,
}

impl std::fmt::Debug for Templates {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Templates")
    }
}

fn load(dir: Option<PathBuf>, name: &str) -> Result<Option<String>, minijinja::Error> {
    // Names are ours ("es/ticket.replied.html"); refuse anything that could leave the folder.
    if name.contains("..") || name.starts_with('/') || name.contains('\\') {
        return Ok(None);
    }
    if let Some(dir) = dir {
        let path = dir.join(name);
        if path.is_file() {
            return std::fs::read_to_string(&path).map(Some).map_err(|e| {
                minijinja::Error::new(
                    minijinja::ErrorKind::InvalidOperation,
                    format!("cannot read template {}: {e}", path.display()),
                )
            });
        }
    }
    Ok(Builtin::get(name).map(|f| String::from_utf8_lossy(&f.data).into_owned()))
}

impl Templates {
    pub fn new(dir: Option<PathBuf>) -> Self {
        let mut env = Environment::new();
        env.set_loader(move |name| load(dir.clone(), name));
        // `.html` is escaped (MiniJinja's default by extension); `.txt` is not.
        env.set_keep_trailing_newline(false);
        Self { env }
    }

    /// Renders `kind` in `lang` (`es`, `en`) as text and HTML.
    pub fn render(
        &self,
        lang: &str,
        kind: &str,
        ctx: &MailContext,
    ) -> Result<Rendered, minijinja::Error> {
        Ok(Rendered {
            text: self.one(lang, kind, "txt", ctx)?,
            html: self.one(lang, kind, "html", ctx)?,
        })
    }

    fn one(
        &self,
        lang: &str,
        kind: &str,
        ext: &str,
        ctx: &MailContext,
    ) -> Result<String, minijinja::Error> {
        let own = format!("{lang}/{kind}.{ext}");
        let name = match self.env.get_template(&own) {
            Ok(_) => own,
            Err(e) if e.kind() == minijinja::ErrorKind::TemplateNotFound => {
                format!("{lang}/default.{ext}")
            }
            Err(e) => return Err(e),
        };
        self.env.get_template(&name)?.render(ctx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx() -> MailContext {
        MailContext {
            title: "Nueva respuesta en INC-000001".into(),
            number: "INC-000001".into(),
            subject: "Impresora <2º piso>".into(),
            body: Some("Pruebe a reiniciarla & avise".into()),
            url: "http://desk.test/portal/tickets/1".into(),
            name: "Ana".into(),
            desk: "Mesa".into(),
            ..MailContext::default()
        }
    }

    #[test]
    fn every_language_renders_its_own_and_the_default() {
        let t = Templates::new(None);
        let es = t.render("es", "ticket.replied", &ctx()).unwrap();
        assert!(
            es.text
                .contains("El equipo de soporte ha respondido en INC-000001")
        );
        assert!(
            es.text.contains("Pruebe a reiniciarla & avise"),
            "text is not escaped"
        );
        assert!(
            es.html.contains("Impresora &lt;2º piso&gt;"),
            "html is escaped"
        );
        let en = t.render("en", "sla.warning", &ctx()).unwrap();
        assert!(en.text.starts_with("Hello Ana,"));
        assert!(
            en.text
                .contains("See the ticket: http://desk.test/portal/tickets/1")
        );
    }

    #[test]
    fn a_folder_overrides_one_template() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("en")).unwrap();
        std::fs::write(
            dir.path().join("en/ticket.closed.txt"),
            "Closed {{ number }} — our own words",
        )
        .unwrap();
        let t = Templates::new(Some(dir.path().to_owned()));
        let en = t.render("en", "ticket.closed", &ctx()).unwrap();
        assert_eq!(en.text, "Closed INC-000001 — our own words");
        assert!(
            en.html.contains("We have closed"),
            "the html stays built-in"
        );
    }
}
