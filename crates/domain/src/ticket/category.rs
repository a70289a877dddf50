//! The default category tree (SPEC C2, seed 003): the ten top-level categories with stable
//! codes and Spanish and English names, a few subcategories taken from the seed's examples,
//! and the rule every category code follows.

use serde::Serialize;

use crate::text::ValidationError;

/// One category to create when a desk is installed. The store inserts these once; after that
/// the tree is the administrators' to edit, and `code` is how rules, imports and the API
/// refer to a category independently of its database id or its translated name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CategorySeed {
    /// Stable code; a subcategory's code is its parent's code, a dot, and its own segment.
    pub code: &'static str,
    pub parent_code: Option<&'static str>,
    pub name_es: &'static str,
    pub name_en: &'static str,
}

/// `(code, name_es, name_en, subcategories as (code, name_es, name_en))`.
type Branch = (&'static str, &'static str, &'static str, &'static [Leaf]);
type Leaf = (&'static str, &'static str, &'static str);

/// Top-level names follow seed 003's wording; subcategories are the examples the seed gives
/// for each category. `other` has none on purpose: it is the catch-all. Full child codes are
/// spelled out (rather than built) so they stay `'static` and greppable; a test checks each
/// starts with its parent's code.
#[rustfmt::skip] // A table reads better as one row per category than as rustfmt's tuples.
const TREE: &[Branch] = &[
    ("hardware", "Fallo de hardware", "Hardware failure", &[
        ("hardware.computer", "Ordenador o portátil", "Desktop or laptop"),
        ("hardware.printer", "Impresora", "Printer"),
        ("hardware.peripheral", "Periféricos", "Peripherals"),
        ("hardware.server", "Servidor", "Server"),
    ]),
    ("software", "Fallo de software", "Software failure", &[
        ("software.bug", "Error de software", "Software bug"),
        ("software.configuration", "Problema de configuración", "Configuration problem"),
        ("software.compatibility", "Problema de compatibilidad", "Compatibility problem"),
    ]),
    ("network", "Problemas de red", "Network problems", &[
        ("network.connectivity", "Conexión", "Connectivity"),
        ("network.speed", "Velocidad", "Speed"),
        ("network.stability", "Estabilidad", "Stability"),
    ]),
    ("security", "Problemas de seguridad", "Security issues", &[
        ("security.vulnerability", "Vulnerabilidad", "Vulnerability"),
        ("security.malware", "Malware", "Malware"),
        ("security.access_control", "Control de acceso", "Access control"),
    ]),
    ("user_support", "Soporte al usuario", "User support", &[
        ("user_support.inquiry", "Consulta", "Inquiry"),
        ("user_support.password_reset", "Restablecimiento de contraseña", "Password reset"),
        ("user_support.training", "Formación", "Training"),
    ]),
    ("service_request", "Solicitud de servicio", "Service request", &[
        ("service_request.new_service", "Nuevo servicio", "New service"),
        ("service_request.configuration_change", "Cambio de configuración", "Configuration change"),
        ("service_request.system_upgrade", "Actualización del sistema", "System upgrade"),
    ]),
    ("data_recovery", "Recuperación de datos", "Data recovery", &[
        ("data_recovery.lost_data", "Datos perdidos", "Lost data"),
        ("data_recovery.backup", "Copia de seguridad", "Backup"),
    ]),
    ("performance", "Optimización del rendimiento", "Performance optimisation", &[
        ("performance.system", "Rendimiento del sistema", "System performance"),
        ("performance.network", "Rendimiento de la red", "Network performance"),
    ]),
    ("consulting", "Servicios de consultoría", "Consulting services", &[
        ("consulting.technical_guidance", "Orientación técnica", "Technical guidance"),
        ("consulting.advice", "Asesoramiento profesional", "Professional advice"),
    ]),
    ("other", "Otro", "Other", &[]),
];

/// The default tree: parents first, in the order of seed 003, each followed by its
/// subcategories, so inserting in order always finds the parent already there.
pub fn default_categories() -> Vec<CategorySeed> {
    let mut out = Vec::new();
    for &(code, name_es, name_en, children) in TREE {
        out.push(CategorySeed {
            code,
            parent_code: None,
            name_es,
            name_en,
        });
        for &(child, name_es, name_en) in children {
            out.push(CategorySeed {
                code: child,
                parent_code: Some(code),
                name_es,
                name_en,
            });
        }
    }
    out
}

/// The longest category code accepted.
pub const CATEGORY_CODE_MAX: usize = 100;

/// Checks a category code typed by an administrator: dot-separated segments of lower-case
/// ASCII letters, digits and underscores, each starting with a letter. Codes end up in rule
/// definitions, URLs and CSV exports, so they are kept to characters that need no escaping.
/// Returns the trimmed code.
pub fn parse_category_code(raw: &str) -> Result<String, ValidationError> {
    let code = raw.trim();
    let bad = |message: &str| Err(ValidationError::new("code", message));
    if code.is_empty() {
        return bad("must not be empty");
    }
    if code.len() > CATEGORY_CODE_MAX {
        return bad("must be at most 100 characters");
    }
    let segment_ok = |s: &str| {
        s.bytes().next().is_some_and(|b| b.is_ascii_lowercase())
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    };
    if !code.split('.').all(segment_ok) {
        return bad(
            "must be dot-separated segments of a-z, 0-9 and _, each starting with a letter",
        );
    }
    Ok(code.to_owned())
}

/// The parent a code implies: everything before the last dot (`hardware.printer` →
/// `hardware`), or `None` for a top-level code.
pub fn implied_parent(code: &str) -> Option<&str> {
    code.rsplit_once('.').map(|(parent, _)| parent)
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn ten_top_level_categories_in_seed_order() {
        let top: Vec<&str> = default_categories()
            .iter()
            .filter(|c| c.parent_code.is_none())
            .map(|c| c.code)
            .collect();
        assert_eq!(
            top,
            [
                "hardware",
                "software",
                "network",
                "security",
                "user_support",
                "service_request",
                "data_recovery",
                "performance",
                "consulting",
                "other",
            ]
        );
    }

    #[test]
    fn tree_is_well_formed() {
        let all = default_categories();
        let mut seen = HashSet::new();
        for c in &all {
            assert_eq!(parse_category_code(c.code).as_deref(), Ok(c.code));
            assert!(seen.insert(c.code), "duplicate code {}", c.code);
            assert_eq!(implied_parent(c.code), c.parent_code, "{}", c.code);
            if let Some(parent) = c.parent_code {
                assert!(seen.contains(parent), "{} listed before its parent", c.code);
            }
            assert!(!c.name_es.trim().is_empty() && !c.name_en.trim().is_empty());
        }
        assert!(all.iter().any(|c| c.code == "hardware.printer"));
        assert!(!all.iter().any(|c| c.parent_code == Some("other")));
        // Every category but the catch-all has at least two examples.
        for parent in all
            .iter()
            .filter(|c| c.parent_code.is_none() && c.code != "other")
        {
            let n = all
                .iter()
                .filter(|c| c.parent_code == Some(parent.code))
                .count();
            assert!(n >= 2, "{} has {n} subcategories", parent.code);
        }
    }

    #[test]
    fn spanish_names_follow_the_seed() {
        let all = default_categories();
        let name = |code: &str| all.iter().find(|c| c.code == code).map(|c| c.name_es);
        assert_eq!(name("hardware"), Some("Fallo de hardware"));
        assert_eq!(name("data_recovery"), Some("Recuperación de datos"));
        assert_eq!(name("other"), Some("Otro"));
    }

    #[test]
    fn category_codes_are_validated() {
        assert_eq!(
            parse_category_code(" vpn.client_2 "),
            Ok("vpn.client_2".into())
        );
        for bad in [
            "",
            "Hardware",
            "hard ware",
            "hardware.",
            ".x",
            "a..b",
            "2fa",
            "x.-y",
            "é",
        ] {
            assert!(parse_category_code(bad).is_err(), "{bad:?} accepted");
        }
        assert!(parse_category_code(&"a".repeat(101)).is_err());
        assert_eq!(parse_category_code("").unwrap_err().field, "code");
    }
}
