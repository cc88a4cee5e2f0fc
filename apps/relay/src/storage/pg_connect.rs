//! How the relay reaches PostgreSQL: the `--postgres` URL, with libpq's `sslmode` and
//! `sslrootcert`, and TLS through rustls.
//!
//! | `sslmode` | TLS | the server's certificate |
//! | --- | --- | --- |
//! | `disable` | never | - |
//! | `prefer` (the default, as libpq's) | when the server offers it, else plaintext | not checked |
//! | `require` | always | not checked (as libpq without a root certificate) |
//! | `verify-ca` | always | signed by a trusted root |
//! | `verify-full` | always | signed by a trusted root and naming the host |
//!
//! Trusted roots are those of `sslrootcert` (a PEM file) when given, else the Mozilla roots
//! of `webpki-roots`. Both parameters are taken out of the URL before tokio-postgres reads
//! the rest (it knows neither `verify-*` nor `sslrootcert`).

use std::str::FromStr;
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::crypto::CryptoProvider;
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, ServerName, UnixTime};
use tokio_postgres_rustls::MakeRustlsConnect;

use crate::error::Error;

/// The `sslmode` of a PostgreSQL URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SslMode {
    /// Plaintext only.
    Disable,
    /// TLS when the server offers it, unchecked.
    Prefer,
    /// TLS, unchecked certificate.
    Require,
    /// TLS, certificate chain checked.
    VerifyCa,
    /// TLS, certificate chain and host name checked.
    VerifyFull,
}

impl SslMode {
    fn parse(value: &str) -> Result<SslMode, Error> {
        Ok(match value {
            "disable" => SslMode::Disable,
            // `allow` tries plaintext first in libpq; here it is `prefer`.
            "allow" | "prefer" => SslMode::Prefer,
            "require" => SslMode::Require,
            "verify-ca" => SslMode::VerifyCa,
            "verify-full" => SslMode::VerifyFull,
            other => {
                return Err(Error::Internal(format!(
                    "the PostgreSQL URL's sslmode {other:?} is not one of disable, prefer, \
                     require, verify-ca, verify-full"
                )))
            }
        })
    }
}

/// A parsed `--postgres` URL: the connection settings and the TLS connector they call for.
#[derive(Clone)]
pub struct PgTarget {
    /// Host, port, user, database and the rest, `ssl_mode` set from `sslmode`.
    pub config: tokio_postgres::Config,
    /// The connector (used unless `sslmode=disable`).
    pub tls: MakeRustlsConnect,
    /// The `sslmode` asked for.
    pub ssl: SslMode,
}

impl std::fmt::Debug for PgTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgTarget")
            .field("config", &self.config)
            .field("ssl", &self.ssl)
            .finish()
    }
}

/// Takes `sslmode` and `sslrootcert` out of a URL (`postgres://...?a=b&sslmode=...`) or a
/// `key=value` string; returns the rest and the two values.
fn split_tls_params(url: &str) -> (String, Option<String>, Option<String>) {
    let (mut mode, mut root) = (None, None);
    let mut take = |part: &str| -> bool {
        if let Some(v) = part.strip_prefix("sslmode=") {
            mode = Some(v.to_owned());
            true
        } else if let Some(v) = part.strip_prefix("sslrootcert=") {
            root = Some(v.to_owned());
            true
        } else {
            false
        }
    };
    let rest = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        match url.split_once('?') {
            Some((base, query)) => {
                let kept: Vec<&str> = query.split('&').filter(|p| !take(p)).collect();
                if kept.is_empty() {
                    base.to_owned()
                } else {
                    format!("{base}?{}", kept.join("&"))
                }
            }
            None => url.to_owned(),
        }
    } else {
        let kept: Vec<&str> = url.split_whitespace().filter(|p| !take(p)).collect();
        kept.join(" ")
    };
    (rest, mode, root)
}

/// Parses a `--postgres` URL and builds its TLS connector.
pub fn parse(url: &str) -> Result<PgTarget, Error> {
    let (rest, mode, root) = split_tls_params(url);
    let ssl = mode
        .as_deref()
        .map_or(Ok(SslMode::Prefer), SslMode::parse)?;
    let mut config = tokio_postgres::Config::from_str(&rest)
        .map_err(|e| Error::Internal(format!("the PostgreSQL URL is not usable: {e}")))?;
    config.ssl_mode(match ssl {
        SslMode::Disable => tokio_postgres::config::SslMode::Disable,
        SslMode::Prefer => tokio_postgres::config::SslMode::Prefer,
        _ => tokio_postgres::config::SslMode::Require,
    });
    let tls = MakeRustlsConnect::new(client_config(ssl, root.as_deref())?);
    Ok(PgTarget { config, tls, ssl })
}

fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

fn client_config(ssl: SslMode, root: Option<&str>) -> Result<ClientConfig, Error> {
    let builder = ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::Internal(format!("TLS setup: {e}")))?;
    let config = match ssl {
        SslMode::Disable | SslMode::Prefer | SslMode::Require => builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(Unchecked(provider())))
            .with_no_client_auth(),
        SslMode::VerifyCa | SslMode::VerifyFull => {
            let verifier =
                WebPkiServerVerifier::builder_with_provider(Arc::new(roots(root)?), provider())
                    .build()
                    .map_err(|e| Error::Internal(format!("TLS setup: {e}")))?;
            let verifier: Arc<dyn ServerCertVerifier> = if ssl == SslMode::VerifyCa {
                Arc::new(AnyName(verifier))
            } else {
                verifier
            };
            builder
                .dangerous()
                .with_custom_certificate_verifier(verifier)
                .with_no_client_auth()
        }
    };
    Ok(config)
}

/// The roots of `sslrootcert`, or webpki-roots' when none is named.
fn roots(root: Option<&str>) -> Result<RootCertStore, Error> {
    let mut store = RootCertStore::empty();
    match root {
        None => store.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
        Some(path) => {
            let certs = CertificateDer::pem_file_iter(path)
                .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
                .map_err(|e| Error::Internal(format!("cannot read sslrootcert {path:?}: {e}")))?;
            if certs.is_empty() {
                return Err(Error::Internal(format!(
                    "sslrootcert {path:?} holds no PEM certificate"
                )));
            }
            for cert in certs {
                store.add(cert).map_err(|e| {
                    Error::Internal(format!("sslrootcert {path:?} is not usable: {e}"))
                })?;
            }
        }
    }
    Ok(store)
}

/// `prefer` and `require`: any certificate, but the handshake's signatures still checked.
#[derive(Debug)]
struct Unchecked(Arc<CryptoProvider>);

impl ServerCertVerifier for Unchecked {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// `verify-ca`: the chain is checked, the name in the certificate is not.
#[derive(Debug)]
struct AnyName(Arc<WebPkiServerVerifier>);

impl ServerCertVerifier for AnyName {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        match self
            .0
            .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
        {
            Err(rustls::Error::InvalidCertificate(rustls::CertificateError::NotValidForName))
            | Err(rustls::Error::InvalidCertificate(
                rustls::CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sslmode_and_sslrootcert_are_taken_out_of_the_url() {
        let (rest, mode, root) = split_tls_params(
            "postgres://relay@db:5432/onward?sslmode=verify-full&connect_timeout=5&sslrootcert=/etc/ca.pem",
        );
        assert_eq!(rest, "postgres://relay@db:5432/onward?connect_timeout=5");
        assert_eq!(mode.as_deref(), Some("verify-full"));
        assert_eq!(root.as_deref(), Some("/etc/ca.pem"));
        let (rest, mode, _) = split_tls_params("postgres://relay@db/onward?sslmode=require");
        assert_eq!(
            (rest.as_str(), mode.as_deref()),
            ("postgres://relay@db/onward", Some("require"))
        );
        let (rest, mode, _) = split_tls_params("host=db user=relay sslmode=disable");
        assert_eq!(
            (rest.as_str(), mode.as_deref()),
            ("host=db user=relay", Some("disable"))
        );
    }

    #[test]
    fn each_sslmode_sets_what_tokio_postgres_does() {
        use tokio_postgres::config::SslMode as Pg;
        for (url, ssl, pg) in [
            ("postgres://u@h/d", SslMode::Prefer, Pg::Prefer),
            (
                "postgres://u@h/d?sslmode=disable",
                SslMode::Disable,
                Pg::Disable,
            ),
            (
                "postgres://u@h/d?sslmode=prefer",
                SslMode::Prefer,
                Pg::Prefer,
            ),
            (
                "postgres://u@h/d?sslmode=require",
                SslMode::Require,
                Pg::Require,
            ),
            (
                "postgres://u@h/d?sslmode=verify-ca",
                SslMode::VerifyCa,
                Pg::Require,
            ),
            (
                "postgres://u@h/d?sslmode=verify-full",
                SslMode::VerifyFull,
                Pg::Require,
            ),
        ] {
            let target = parse(url).unwrap();
            assert_eq!(
                (target.ssl, target.config.get_ssl_mode()),
                (ssl, pg),
                "{url}"
            );
        }
        assert!(parse("postgres://u@h/d?sslmode=sometimes").is_err());
        let missing = parse("postgres://u@h/d?sslmode=verify-full&sslrootcert=/no/such.pem");
        assert!(format!("{:?}", missing.err()).contains("sslrootcert"));
    }
}
