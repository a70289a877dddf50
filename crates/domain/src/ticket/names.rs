//! The `named_enum!` macro: closed sets of values with one stable lower-case name each.
//!
//! Kinds, statuses, channels and priority levels are stored as text, sent as JSON strings and
//! parsed from forms and query strings. Writing the name once per variant keeps `as_str`,
//! `FromStr`, `Display` and serde from ever disagreeing.

/// Declares a `Copy` enum whose variants each carry one stable name.
///
/// Generates `ALL` (declaration order), `as_str()`, a case-insensitive `FromStr` returning
/// [`ValidationError`](crate::text::ValidationError) for the given field, `Display`, and serde
/// (de)serialisation by the same names. Extra attributes (docs, derives) pass through.
macro_rules! named_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident in $field:literal {
            $($(#[$vmeta:meta])* $variant:ident => $text:literal,)+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        // utoipa does not see the per-variant `serde(rename)` below (the name arrives as a
        // macro fragment) and documented `Critical` for `critical`; every name is the
        // variant in snake_case, which this says to the schema (a test in the app checks).
        #[cfg_attr(feature = "openapi", schema(rename_all = "snake_case"))]
        $vis enum $name {
            $($(#[$vmeta])* #[serde(rename = $text)] $variant,)+
        }

        impl $name {
            /// Every value, in declaration order (the order forms and filters list them).
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            /// The stable name: stored in the database, sent in JSON, used in URLs.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)+
                }
            }
        }

        impl std::str::FromStr for $name {
            type Err = crate::text::ValidationError;

            /// Accepts the stable name, ignoring surrounding blanks and ASCII case, because
            /// these values arrive from query strings and hand-written API calls.
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                let wanted = s.trim();
                $name::ALL
                    .iter()
                    .copied()
                    .find(|v| v.as_str().eq_ignore_ascii_case(wanted))
                    .ok_or_else(|| {
                        let names: Vec<&str> = $name::ALL.iter().map(|v| v.as_str()).collect();
                        crate::text::ValidationError::new(
                            $field,
                            format!("must be one of: {}", names.join(", ")),
                        )
                    })
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

pub(crate) use named_enum;
