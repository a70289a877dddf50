//! The TLS client configuration shared by outbound connections (LDAP, IMAP, webhooks):
//! rustls with the ring provider and its safe default protocol versions, trusting the
//! system's roots plus the PEM certificates of an optional `ca_file` (a private CA).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject as _;
use tokio_rustls::rustls::{self, ClientConfig, RootCertStore};

/// Why a client configuration could not be built.
#[derive(Debug, thiserror::Error)]
pub enum TlsConfigError {
    /// The extra CA file cannot be read, holds a bad certificate, or holds none.
    #[error("ca_file {}: {message}", path.display())]
    CaFile { path: PathBuf, message: String },
    /// rustls refused the provider or protocol versions.
    #[error("TLS: {0}")]
    Rustls(#[from] rustls::Error),
}

/// Reads the PEM certificates of `path`; a file without any is an error (a mistake, most
/// likely, that would otherwise show only as an untrusted server later).
pub fn read_ca_file(path: &Path) -> Result<Vec<CertificateDer<'static>>, TlsConfigError> {
    let fail = |message: String| TlsConfigError::CaFile {
        path: path.to_owned(),
        message,
    };
    let certs = CertificateDer::pem_file_iter(path)
        .map_err(|e| fail(format!("cannot read: {e}")))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| fail(format!("bad certificate: {e}")))?;
    if certs.is_empty() {
        return Err(fail("holds no PEM certificate".into()));
    }
    Ok(certs)
}

/// A client configuration trusting the system's roots and, when given, the certificates
/// of `ca_file`. A system root that rustls cannot parse is skipped; a bad `ca_file` is an
/// error.
pub fn client_config(ca_file: Option<&Path>) -> Result<Arc<ClientConfig>, TlsConfigError> {
    let mut roots = RootCertStore::empty();
    for cert in rustls_native_certs::load_native_certs().certs {
        let _ = roots.add(cert);
    }
    if let Some(path) = ca_file {
        for cert in read_ca_file(path)? {
            roots.add(cert).map_err(|e| TlsConfigError::CaFile {
                path: path.to_owned(),
                message: format!("bad certificate: {e}"),
            })?;
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_or_empty_ca_file_is_an_error_naming_it() {
        let dir = std::env::temp_dir().join(format!("vt-tls-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&dir);
        let missing = dir.join("missing.pem");
        let e = client_config(Some(&missing)).err().map(|e| e.to_string());
        assert!(
            e.as_deref().is_some_and(|e| e.contains("missing.pem")),
            "{e:?}"
        );
        let empty = dir.join("empty.pem");
        assert!(std::fs::write(&empty, "no certificate here\n").is_ok());
        let e = read_ca_file(&empty).err().map(|e| e.to_string());
        assert!(
            e.as_deref()
                .is_some_and(|e| e.contains("no PEM certificate")),
            "{e:?}"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn without_a_ca_file_the_system_roots_are_enough() {
        assert!(client_config(None).is_ok());
    }
}
