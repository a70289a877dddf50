//! Rebuilds the store when a migration is added: `sqlx::migrate!` embeds the migration files
//! at compile time, and cargo tracks only the files it was told about (sqlx's documented
//! recipe).

fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
